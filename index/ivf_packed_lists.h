// PackedInvertedLists: FAISS inverted lists that hold each IVF entry ONCE, in the form the fast-scan
// kernels read (IndexCodecIVF with fast scan on; issue 5's "RSS ≈ code bytes + a small constant").
//
// Per list: the ids (8 B each), the entries' sub-codes packed in the codec's fast-scan layout
// (FastScanLayout: 4-bit sub-codes in 32-vector blocks, or FastScan8Layout: 8-bit sub-codes in 64-vector
// blocks; 64-byte aligned) and their side bytes (Codec::lut_side_size() per entry: the per-vector factors)
// in a compact array, row i at i * side_size(). No row-major code is kept:
//  - add_entries / update_entries split the given codes (extract_sub_codes + the side copy) and pack them;
//    resize truncates (zeroing the free lanes of the new last block) or grows with all-zero entries.
//  - get_codes / get_single_code ASSEMBLE codes (Codec::assemble_codes: byte-for-byte the codes given,
//    for codes that encode() produced — bits no sub-code covers come back zero) into a buffer allocated
//    per call and freed by release_codes, so every FAISS entry point that reads codes (reconstruct,
//    merge_from, remove_ids, the index writer, range search) stays correct, only slower. Searches never
//    do this: they read packed() / side() / get_ids() directly (IndexCodecIVF::search_preassigned).
//    Caveat: faiss::DirectMap::update_codes (IndexIVF::update_vectors with an Array direct map) takes a
//    get_single_code without releasing it — IndexCodecIVF overrides update_vectors for that reason.
//  - first_changed(list): the first offset overwritten or cut (update_entries, resize) since the last
//    clear_changes(list) — appends are not changes — so the owner can keep derived per-entry state (the
//    IVF's L2 terms) up to date after FAISS's remove_ids / update paths.
// Growth: the three arrays of a list grow together by at least 1/8 of their capacity (amortised O(1)
// appends, at most ~12.5 % slack, unlike std::vector's doubling); shrink_to_fit() drops the slack.
//
// Memory per entry: 8 (id) + side_size() + the packed sub-codes (lut_nsub() / 2 bytes for 4-bit, lut_nsub()
// for 8-bit), plus per list the padding of its last block (< 32 resp. 64 entries' sub-codes).
//
// Threads (FAISS's InvertedLists rules): concurrent reads are safe (each get_codes call has its own
// buffer); writes to different lists may run concurrently (FAISS's add_core and remove_ids do); writes to
// one list must not overlap with anything on that list. The codec must outlive the lists (IndexCodecIVF
// owns both and deletes the lists first).
// Errors: a code whose sub-code is out of range → InvalidArgument, the list as before the call (add_entries
// cuts it back; update_entries checks every sub-code before writing); offsets or list numbers out of
// range → InvalidArgument.
#pragma once

#include <faiss/invlists/InvertedLists.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/codecs/codec.h"
#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_8bit_layout.h"
#include "lib/scan/fastscan_layout.h"

namespace ipaq {

class PackedInvertedLists : public faiss::InvertedLists {
 public:
  // The layout follows the codec's LUT form: lut_bits() == 4 → FastScanLayout, 8 → FastScan8Layout; a codec
  // without one → InvalidArgument.
  PackedInvertedLists(size_t nlist, const Codec& codec);
  ~PackedInvertedLists() override;

  size_t list_size(size_t list_no) const override;
  // Assembled codes of the whole list (list_size * code_size bytes; null for an empty list): release them.
  const uint8_t* get_codes(size_t list_no) const override;
  const idx_t* get_ids(size_t list_no) const override;
  void release_codes(size_t list_no, const uint8_t* codes) const override;
  // One assembled code (code_size bytes): release it with release_codes.
  const uint8_t* get_single_code(size_t list_no, size_t offset) const override;
  idx_t get_single_id(size_t list_no, size_t offset) const override;

  size_t add_entries(size_t list_no, size_t n_entry, const idx_t* ids, const uint8_t* codes) override;
  void update_entries(size_t list_no, size_t offset, size_t n_entry, const idx_t* ids, const uint8_t* codes) override;
  void resize(size_t list_no, size_t new_size) override;

  // ---- direct access (scans) ----
  // Exactly one of the two layouts is non-null.
  const FastScanLayout* layout4() const { return layout4_.get(); }
  const FastScan8Layout* layout8() const { return layout8_.get(); }
  // The packed sub-codes of a list (packed bytes of list_size entries, block-aligned start).
  const uint8_t* packed(size_t list_no) const { return lists_[list_no].packed.data(); }
  // The side bytes of a list: row i at side(list) + i * side_size().
  const uint8_t* side(size_t list_no) const { return lists_[list_no].side.data(); }
  size_t side_size() const { return side_size_; }
  // Assembles entries [first, first + n) of a list into out (n * code_size bytes). Out of range →
  // InvalidArgument.
  void read_codes(size_t list_no, size_t first, size_t n, uint8_t* out) const;

  // ---- change tracking (derived per-entry state) ----
  static constexpr size_t kUnchanged = static_cast<size_t>(-1);
  // The first offset overwritten or cut since the last clear_changes (kUnchanged if none).
  size_t first_changed(size_t list_no) const { return changed_[list_no]; }
  void clear_changes(size_t list_no) { changed_[list_no] = kUnchanged; }

  // ---- memory ----
  struct Bytes {
    size_t ids = 0, packed = 0, side = 0;  // array sizes (not capacities), all lists
  };
  Bytes bytes() const;
  // The same three arrays' capacities (what is allocated: sizes + growth slack).
  Bytes capacities() const;
  // Releases the growth slack of every list (capacity = size).
  void shrink_to_fit();

 private:
  struct List {
    std::vector<idx_t> ids;
    // resize(n) leaves new bytes uninitialised: add_entries writes them all (zeroing only a new partial
    // last block's free lanes), resize(n, 0) grows with zero entries.
    UninitAlignedBytes packed;
    UninitBytes side;
  };
  size_t packed_bytes(size_t n) const;
  size_t block_bytes() const;  // one block of block_size_ entries in the packed array
  Bytes total_bytes(bool capacity) const;  // sizes or capacities of the three arrays, all lists
  // Capacity for `count` entries in all three arrays, growing by >= 1/8 (see the header).
  void reserve_entries(List& list, size_t count) const;
  // Packs the sub-codes and copies the side bytes of entries [first, first + n) (codes: n * code_size
  // bytes) into arrays already sized for list_size entries; entries outside are left untouched.
  void store(List& list, size_t first, size_t n, const uint8_t* codes) const;
  // Cuts a list to `size` entries and zeroes the free lanes of its new last block (never throws).
  void truncate(List& list, size_t size) const noexcept;
  void check_list(size_t list_no, const char* what) const;

  const Codec& codec_;
  std::unique_ptr<FastScanLayout> layout4_;
  std::unique_ptr<FastScan8Layout> layout8_;
  size_t nsub_, side_size_, side_offset_, block_size_;
  std::vector<List> lists_;
  std::vector<size_t> changed_;
};

}  // namespace ipaq
