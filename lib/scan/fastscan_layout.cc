#include "lib/scan/fastscan_layout.h"

#include <algorithm>
#include <cstring>

#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/core/simd_level.h"
#include "lib/scan/fastscan_pack_kernels.h"
#include "lib/scan/lut_quantizer.h"

namespace ipaq {
namespace {

constexpr size_t kPairBytes = FastScanLayout::kBlockSize;  // one byte per vector of the block

// Byte holding padded sub-code `padded` of vector `i` in a packed array, and the nibble's shift.
struct NibbleAddress {
  size_t byte;
  int shift;
};

NibbleAddress nibble_address(const FastScanLayout& layout, size_t i, size_t padded) {
  const size_t block = i / FastScanLayout::kBlockSize;
  const size_t lane = i % FastScanLayout::kBlockSize;
  return {block * layout.block_bytes() + (padded / 2) * kPairBytes + lane, static_cast<int>(padded % 2) * 4};
}

}  // namespace

namespace scan_detail {

// The reference kernel: pair by pair, one byte per vector of the block.
uint8_t pack_4bit_block_scalar(const Pack4bitBlockArgs& args) {
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  uint8_t any = 0;
  for (size_t g = 0; g < args.ngroups; ++g) {
    for (size_t p = args.pair_begin[g]; p < args.pair_begin[g + 1]; ++p) {
      const size_t lo = args.group_begin[g] + 2 * (p - args.pair_begin[g]);
      const bool has_hi = lo + 1 < args.group_begin[g + 1];
      uint8_t* out = args.block + p * kPairBytes;
      for (size_t lane = 0; lane < args.m; ++lane) {
        const uint8_t* v = args.sub + lane * args.nsub;
        any |= v[lo] | (has_hi ? v[lo + 1] : 0);
        out[lane] = static_cast<uint8_t>(v[lo] | (has_hi ? v[lo + 1] << 4 : 0));
      }
      std::memset(out + args.m, 0, kBlock - args.m);
    }
  }
  return any;
}

}  // namespace scan_detail

FastScanLayout::FastScanLayout(size_t nsub, std::vector<size_t> group_begin)
    : nsub_(nsub), group_begin_(std::move(group_begin)) {
  IPAQ_CHECK_ARG(nsub >= 1, "FastScanLayout: nsub must be >= 1");
  check_group_begin(group_begin_, nsub);
  pair_begin_.assign(group_begin_.size(), 0);
  padded_of_sub_.resize(nsub);
  for (size_t g = 0; g + 1 < group_begin_.size(); ++g) {
    const size_t rows = group_begin_[g + 1] - group_begin_[g];
    for (size_t s = 0; s < rows; ++s) padded_of_sub_[group_begin_[g] + s] = 2 * pair_begin_[g] + s;
    pair_begin_[g + 1] = pair_begin_[g] + (rows + 1) / 2;
  }
}

size_t FastScanLayout::packed_bytes(size_t n) const {
  return checked_mul(nblocks(n), block_bytes(), "FastScanLayout: packed size");
}

void pack_4bit_code_at(const FastScanLayout& layout, size_t i, const uint8_t* sub, uint8_t* packed) {
  for (size_t s = 0; s < layout.nsub(); ++s) {
    IPAQ_CHECK_ARG(sub[s] < 16, "pack_4bit_codes: sub-code ", s, " of vector ", i, " is ", int{sub[s]},
                   ", not < 16");
    const NibbleAddress a = nibble_address(layout, i, layout.padded_sub(s));
    packed[a.byte] = static_cast<uint8_t>((packed[a.byte] & ~(0x0F << a.shift)) | (sub[s] << a.shift));
  }
}

void pack_4bit_codes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* sub,
                        uint8_t* packed) {
  const size_t nsub = layout.nsub();
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  // Vectors joining a partly filled block: one at a time, leaving the block's other vectors untouched.
  const size_t head = std::min(n, (kBlock - first % kBlock) % kBlock);
  for (size_t i = 0; i < head; ++i) pack_4bit_code_at(layout, first + i, sub + i * nsub, packed);
  // Then whole blocks (and a last partial one, whose free lanes are zeroed), one kernel call per block.
  scan_detail::Pack4bitBlockArgs args{};
  args.nsub = nsub;
  args.group_begin = layout.group_begin().data();
  args.pair_begin = layout.pair_begin().data();
  args.ngroups = layout.ngroups();
  const bool simd = head < n && simd_level() != SimdLevel::kScalar;
  // Callers append one block per call (IndexCodecFlat::pack_range): no heap scratch for usual sizes.
  const size_t scratch_bytes = simd ? scan_detail::pack_4bit_scratch_bytes(layout.npairs()) : 0;
  alignas(64) uint8_t stack_scratch[16384];
  std::vector<uint8_t> heap_scratch(scratch_bytes > sizeof(stack_scratch) ? scratch_bytes : 0);
  args.scratch = heap_scratch.empty() ? stack_scratch : heap_scratch.data();
  for (size_t b = head; b < n; b += kBlock) {
    const size_t m = std::min(kBlock, n - b);
    const uint8_t* block_sub = sub + b * nsub;
    args.sub = block_sub;
    args.m = m;
    args.block = packed + ((first + b) / kBlock) * layout.block_bytes();
    // AVX-512 machines run the AVX2 kernel: the transpose is shuffle-bound and wider registers would
    // only double the tile (npairs is ~100 for the codecs that use this).
    const uint8_t any = simd ? scan_detail::pack_4bit_block_avx2(args) : scan_detail::pack_4bit_block_scalar(args);
    if (any >= 16) {  // throws, naming the first offending sub-code (the block holds only this call's vectors)
      for (size_t i = 0; i < m; ++i) pack_4bit_code_at(layout, first + b + i, block_sub + i * nsub, packed);
    }
  }
}

void pack_4bit_lanes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* sub, uint8_t* packed) {
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  const size_t lane0 = first % kBlock, nsub = layout.nsub();
  IPAQ_CHECK_ARG(lane0 + n <= kBlock, "pack_4bit_lanes_at: vectors [", first, ", ", first + n,
                 ") cross a block boundary");
  uint8_t any = 0;
  for (size_t i = 0; i < n * nsub; ++i) any |= sub[i];
  IPAQ_CHECK_ARG(any < 16, "pack_4bit_lanes_at: a sub-code is not < 16");
  uint8_t* block = packed + (first / kBlock) * layout.block_bytes();
  const std::vector<size_t>& group_begin = layout.group_begin();
  const std::vector<size_t>& pair_begin = layout.pair_begin();
  for (size_t g = 0; g + 1 < group_begin.size(); ++g) {
    for (size_t p = pair_begin[g]; p < pair_begin[g + 1]; ++p) {
      const size_t lo = group_begin[g] + 2 * (p - pair_begin[g]);
      const bool has_hi = lo + 1 < group_begin[g + 1];  // an odd group's last pair has no high nibble
      uint8_t* row = block + p * kPairBytes + lane0;
      for (size_t v = 0; v < n; ++v) {
        const uint8_t* s = sub + v * nsub + lo;
        row[v] = static_cast<uint8_t>(has_hi ? s[0] | s[1] << 4 : s[0]);
      }
    }
  }
}

void pack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* sub, uint8_t* packed) {
  pack_4bit_codes_at(layout, 0, n, sub, packed);
}

void unpack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* packed, uint8_t* sub) {
  unpack_4bit_codes_at(layout, 0, n, packed, sub);
}

void unpack_4bit_codes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* packed,
                          uint8_t* sub) {
  const size_t nsub = layout.nsub();
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  const std::vector<size_t>& group_begin = layout.group_begin();
  const std::vector<size_t>& pair_begin = layout.pair_begin();
  for (size_t i = 0; i < n;) {
    const size_t lane0 = (first + i) % kBlock;
    const size_t m = std::min(n - i, kBlock - lane0);  // vectors of this block
    const uint8_t* block = packed + ((first + i) / kBlock) * layout.block_bytes();
    uint8_t* block_sub = sub + i * nsub;
    // Pair by pair (one 32-byte row per pair), the mirror of pack_4bit_codes_at's whole-block path.
    for (size_t g = 0; g + 1 < group_begin.size(); ++g) {
      for (size_t p = pair_begin[g]; p < pair_begin[g + 1]; ++p) {
        const size_t lo = group_begin[g] + 2 * (p - pair_begin[g]);
        const bool has_hi = lo + 1 < group_begin[g + 1];
        const uint8_t* row = block + p * kPairBytes + lane0;
        for (size_t v = 0; v < m; ++v) {
          block_sub[v * nsub + lo] = row[v] & 0x0F;
          if (has_hi) block_sub[v * nsub + lo + 1] = row[v] >> 4;
        }
      }
    }
    i += m;
  }
}

size_t compact_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* keep, uint8_t* packed) {
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  const size_t nsub = layout.nsub();
  std::vector<uint8_t> sub(kBlock * nsub);
  size_t kept = 0;
  for (size_t b = 0; b < n; b += kBlock) {
    const size_t m = std::min(kBlock, n - b);
    // The whole block is read before any write: kept vectors land at positions <= their own, so writes
    // reach at most this block and never a block still to be read.
    unpack_4bit_codes_at(layout, b, m, packed, sub.data());
    size_t c = 0;
    for (size_t v = 0; v < m; ++v) {
      if (keep[b + v] == 0) continue;
      if (c != v) std::memcpy(sub.data() + c * nsub, sub.data() + v * nsub, nsub);
      ++c;
    }
    pack_4bit_codes_at(layout, kept, c, sub.data(), packed);
    kept += c;
  }
  // The free lanes of the new last block are zero: that block was started (lane 0) by a whole-block
  // write of pack_4bit_codes_at, which zeroes the lanes after the vectors it writes.
  return kept;
}

}  // namespace ipaq
