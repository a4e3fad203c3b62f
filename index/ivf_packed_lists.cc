#include "index/ivf_packed_lists.h"

#include <algorithm>
#include <cstring>

#include "index/code_scorer.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

constexpr const char* kType = "PackedInvertedLists";

}  // namespace

PackedInvertedLists::PackedInvertedLists(size_t nlist, const Codec& codec)
    : faiss::InvertedLists(nlist, codec.code_size()),
      codec_(codec),
      nsub_(codec.lut_nsub()),
      side_size_(codec.lut_side_size()),
      side_offset_(codec.lut_side_offset()),
      block_size_(0),
      lists_(nlist),
      changed_(nlist, kUnchanged) {
  if (codec_has_4bit_lut(codec)) {
    layout4_ = std::make_unique<FastScanLayout>(nsub_, codec.lut_group_begin());
    block_size_ = FastScanLayout::kBlockSize;
  } else if (codec.lut_bits() == 8 && nsub_ > 0) {
    layout8_ = std::make_unique<FastScan8Layout>(nsub_, codec.lut_group_begin());
    block_size_ = FastScan8Layout::kBlockSize;
  } else {
    throw InvalidArgument(format_message(kType, ": codec ", codec.descriptor(),
                                         " has no 4-bit or 8-bit LUT form, its codes cannot be packed"));
  }
}

PackedInvertedLists::~PackedInvertedLists() = default;

void PackedInvertedLists::check_list(size_t list_no, const char* what) const {
  IPAQ_CHECK_ARG(list_no < nlist, kType, "::", what, ": list ", list_no, " out of range [0, ", nlist, ")");
}

size_t PackedInvertedLists::packed_bytes(size_t n) const {
  return layout4_ ? layout4_->packed_bytes(n) : layout8_->packed_bytes(n);
}

size_t PackedInvertedLists::block_bytes() const {
  return layout4_ ? layout4_->block_bytes() : layout8_->block_bytes();
}

size_t PackedInvertedLists::list_size(size_t list_no) const {
  check_list(list_no, "list_size");
  return lists_[list_no].ids.size();
}

const faiss::InvertedLists::idx_t* PackedInvertedLists::get_ids(size_t list_no) const {
  check_list(list_no, "get_ids");
  return lists_[list_no].ids.data();
}

faiss::InvertedLists::idx_t PackedInvertedLists::get_single_id(size_t list_no, size_t offset) const {
  IPAQ_CHECK_ARG(offset < list_size(list_no), kType, "::get_single_id: offset ", offset, " out of range");
  return lists_[list_no].ids[offset];
}

void PackedInvertedLists::read_codes(size_t list_no, size_t first, size_t n, uint8_t* out) const {
  const size_t size = list_size(list_no);
  IPAQ_CHECK_ARG(first <= size && n <= size - first, kType, "::read_codes: entries [", first, ", ", first, " + ", n,
                 ") of list ", list_no, " out of range [0, ", size, ")");
  const List& list = lists_[list_no];
  std::vector<uint8_t> sub(std::min(n, block_size_) * nsub_);
  for (size_t b = 0; b < n;) {
    const size_t at = first + b, m = std::min(n - b, block_size_ - at % block_size_);
    if (layout4_) {
      unpack_4bit_codes_at(*layout4_, at, m, list.packed.data(), sub.data());
    } else {
      unpack_8bit_codes_at(*layout8_, at, m, list.packed.data(), sub.data());
    }
    codec_.assemble_codes(m, sub.data(), list.side.data() + at * side_size_, side_size_, out + b * code_size);
    b += m;
  }
}

const uint8_t* PackedInvertedLists::get_codes(size_t list_no) const {
  const size_t n = list_size(list_no);
  if (n == 0) return nullptr;
  std::unique_ptr<uint8_t[]> codes(new uint8_t[n * code_size]);
  read_codes(list_no, 0, n, codes.get());
  return codes.release();
}

const uint8_t* PackedInvertedLists::get_single_code(size_t list_no, size_t offset) const {
  std::unique_ptr<uint8_t[]> code(new uint8_t[code_size]);
  read_codes(list_no, offset, 1, code.get());
  return code.release();
}

void PackedInvertedLists::release_codes(size_t /*list_no*/, const uint8_t* codes) const { delete[] codes; }

void PackedInvertedLists::reserve_entries(List& list, size_t count) const {
  const size_t capacity = list.ids.capacity();
  if (count <= capacity) return;
  const size_t grown = std::max({count, capacity + capacity / 8, size_t{16}});
  list.ids.reserve(grown);
  list.side.reserve(checked_mul(grown, side_size_, "side bytes"));
  list.packed.reserve(packed_bytes(grown));
}

void PackedInvertedLists::store(List& list, size_t first, size_t n, const uint8_t* codes) const {
  // One block's sub-codes at a time (per thread: FAISS adds to different lists concurrently).
  thread_local std::vector<uint8_t> sub;
  sub.resize(std::min(n, block_size_) * nsub_);
  for (size_t b = 0; b < n;) {
    const size_t at = first + b, m = std::min(n - b, block_size_ - at % block_size_);
    codec_.extract_sub_codes(m, codes + b * code_size, sub.data());
    if (layout8_) {
      for (size_t i = 0; i < m; ++i) pack_8bit_code_at(*layout8_, at + i, sub.data() + i * nsub_, list.packed.data());
    } else if (m == block_size_ || (at % block_size_ == 0 && at + m == list.ids.size())) {
      // A whole block, or the list's last block from its first lane: the SIMD pack kernel (which zeroes the
      // free lanes after the m vectors: there are no entries there). Other partial blocks lane by lane.
      pack_4bit_codes_at(*layout4_, at, m, sub.data(), list.packed.data());
    } else {
      pack_4bit_lanes_at(*layout4_, at, m, sub.data(), list.packed.data());
    }
    b += m;
  }
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(list.side.data() + (first + i) * side_size_, codes + i * code_size + side_offset_, side_size_);
  }
}

void PackedInvertedLists::truncate(List& list, size_t size) const noexcept {
  list.ids.resize(size);
  list.side.resize(size * side_size_);
  list.packed.resize(packed_bytes(size));
  const size_t lane = size % block_size_;
  if (lane == 0) return;
  // The new last block keeps vectors [0, lane): zero the others' lanes (padding vectors are all zero).
  uint8_t* block = list.packed.data() + (size / block_size_) * block_bytes();
  const size_t rows = layout4_ ? layout4_->npairs() : nsub_;  // one block_size_-byte row per pair / sub-code
  for (size_t r = 0; r < rows; ++r) std::memset(block + r * block_size_ + lane, 0, block_size_ - lane);
}

size_t PackedInvertedLists::add_entries(size_t list_no, size_t n_entry, const idx_t* ids, const uint8_t* codes) {
  check_list(list_no, "add_entries");
  List& list = lists_[list_no];
  const size_t old = list.ids.size();
  if (n_entry == 0) return old;
  IPAQ_CHECK_ARG(ids != nullptr && codes != nullptr, kType, "::add_entries: null ids or codes");
  const size_t total = old + n_entry;
  reserve_entries(list, total);
  try {
    list.ids.insert(list.ids.end(), ids, ids + n_entry);
    const size_t old_bytes = list.packed.size(), new_bytes = packed_bytes(total);
    list.packed.resize(new_bytes);  // uninitialised: store() writes whole new blocks entirely ...
    const size_t last_block = new_bytes - block_bytes();
    if (total % block_size_ != 0 && last_block >= old_bytes) {
      // ... but a new partial last block lane by lane: its free lanes (padding vectors) must be zero (for
      // 4-bit codes starting at lane 0 the SIMD pack zeroes them again: one memset of a block, kept simple).
      std::memset(list.packed.data() + last_block, 0, block_bytes());
    }
    list.side.resize(checked_mul(total, side_size_, "side bytes"));  // every new entry's side bytes copied
    store(list, old, n_entry, codes);
  } catch (...) {
    truncate(list, old);
    throw;
  }
  return old;
}

void PackedInvertedLists::update_entries(size_t list_no, size_t offset, size_t n_entry, const idx_t* ids,
                                         const uint8_t* codes) {
  const size_t size = list_size(list_no);
  IPAQ_CHECK_ARG(offset <= size && n_entry <= size - offset, kType, "::update_entries: entries [", offset, ", ",
                 offset, " + ", n_entry, ") of list ", list_no, " out of range [0, ", size, ")");
  if (n_entry == 0) return;
  IPAQ_CHECK_ARG(ids != nullptr && codes != nullptr, kType, "::update_entries: null ids or codes");
  if (layout4_) {
    // store() refuses a sub-code >= 16 only when it reaches that entry's block: all entries are checked
    // first, so that a refused update leaves the list (ids, codes, change mark) as it was.
    std::vector<uint8_t> sub(checked_mul(n_entry, nsub_, "sub-codes"));
    codec_.extract_sub_codes(n_entry, codes, sub.data());
    IPAQ_CHECK_ARG(std::all_of(sub.begin(), sub.end(), [](uint8_t c) { return c < 16; }), kType,
                   "::update_entries: a sub-code is not < 16 (corrupted code), list ", list_no, " unchanged");
  }
  List& list = lists_[list_no];
  changed_[list_no] = std::min(changed_[list_no], offset);
  std::copy_n(ids, n_entry, list.ids.data() + offset);
  store(list, offset, n_entry, codes);
}

void PackedInvertedLists::resize(size_t list_no, size_t new_size) {
  const size_t size = list_size(list_no);
  List& list = lists_[list_no];
  if (new_size < size) {
    changed_[list_no] = std::min(changed_[list_no], new_size);
    if (new_size == 0) {
      list = List();  // frees the memory (reset, merge_from's source)
    } else {
      truncate(list, new_size);
    }
  } else if (new_size > size) {  // all-zero entries, as ArrayInvertedLists' zero-filled codes
    reserve_entries(list, new_size);
    list.ids.resize(new_size, 0);
    list.packed.resize(packed_bytes(new_size), 0);
    list.side.resize(checked_mul(new_size, side_size_, "side bytes"), 0);
  }
}

PackedInvertedLists::Bytes PackedInvertedLists::bytes() const {
  return total_bytes(/*capacity=*/false);
}

PackedInvertedLists::Bytes PackedInvertedLists::capacities() const {
  return total_bytes(/*capacity=*/true);
}

PackedInvertedLists::Bytes PackedInvertedLists::total_bytes(bool capacity) const {
  auto count = [capacity](const auto& v) { return (capacity ? v.capacity() : v.size()) * sizeof(v[0]); };
  Bytes b;
  for (const List& list : lists_) {
    b.ids += count(list.ids);
    b.packed += count(list.packed);
    b.side += count(list.side);
  }
  return b;
}

void PackedInvertedLists::shrink_to_fit() {
  for (List& list : lists_) {
    list.ids.shrink_to_fit();
    list.packed.shrink_to_fit();
    list.side.shrink_to_fit();
  }
}

}  // namespace ipaq
