// Fast-scan code layout: 4-bit sub-codes of n vectors transposed into blocks of 32 vectors, so that one
// 32-byte load feeds a `pshufb` lookup for 32 vectors at once (see fastscan_4bit.h).
//
// Logical input: n vectors × nsub sub-codes, one sub-code per byte (value < 16), row-major (what
// Codec::extract_sub_codes produces), split into groups by `group_begin` (ngroups + 1 boundaries).
//
// Padding. Sub-codes are consumed in pairs; each group is padded on its own to an even number of
// sub-codes, so a pair never straddles two groups. Padded sub-codes are 0 and their LUT rows are all 0,
// so they add nothing. Group g occupies the pairs [pair_begin[g], pair_begin[g+1]); npairs is the total.
// n is padded up to a multiple of 32 with all-zero vectors (the scans never report them).
//
// Bit layout. The packed array is nblocks(n) blocks of block_bytes() = 32 · npairs bytes. Block b holds
// vectors 32b … 32b+31; inside it, pair p occupies bytes [32p, 32p + 32) and
//     byte 32p + i = lo | hi << 4,  lo = sub-code 2p′ of vector 32b + i,  hi = sub-code 2p′+1,
// where 2p′, 2p′+1 are the padded sub-code numbers of pair p (sub-code s of group g has padded number
// 2·pair_begin[g] + (s − group_begin[g])). The packed size equals the 4-bit code size rounded up to
// blocks: nothing else is stored.
//
// Alignment: any alignment is correct, but allocate packed arrays 64-byte aligned for speed
// (ipaq::AlignedBytes, aligned_allocator.h): a plain std::vector of this size starts 16 bytes into a
// page, every 64-byte load then spans two cache lines, and the AVX-512 scan measured 1.3x slower
// (bench/scan, nsub = 64 and 256).
//
// Errors: pack throws InvalidArgument for a sub-code ≥ 16 or a malformed group split (the blocks of the
// failing call may then be partly written; vectors before `first` are untouched); sizes are checked
// with overflow-safe arithmetic. Thread-safety: a layout is immutable; pack/unpack are pure functions
// (concurrent calls writing disjoint blocks are safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipaq {

class FastScanLayout {
 public:
  static constexpr size_t kBlockSize = 32;  // vectors per block

  // nsub ≥ 1 logical sub-codes split by group_begin (default: one group).
  FastScanLayout(size_t nsub, std::vector<size_t> group_begin);
  explicit FastScanLayout(size_t nsub) : FastScanLayout(nsub, {0, nsub}) {}

  size_t nsub() const { return nsub_; }
  size_t ngroups() const { return group_begin_.size() - 1; }
  const std::vector<size_t>& group_begin() const { return group_begin_; }
  // Pair boundaries of the padded groups (ngroups + 1 values).
  const std::vector<size_t>& pair_begin() const { return pair_begin_; }
  size_t npairs() const { return pair_begin_.back(); }
  // Padded sub-code number of logical sub-code s (see the bit layout above).
  size_t padded_sub(size_t s) const { return padded_of_sub_[s]; }

  size_t block_bytes() const { return npairs() * kBlockSize; }
  static size_t nblocks(size_t n) { return (n + kBlockSize - 1) / kBlockSize; }
  // Bytes of a packed array holding n vectors (overflow-checked).
  size_t packed_bytes(size_t n) const;

 private:
  size_t nsub_;
  std::vector<size_t> group_begin_;
  std::vector<size_t> pair_begin_;
  std::vector<size_t> padded_of_sub_;
};

// sub: n * nsub bytes -> packed: layout.packed_bytes(n) bytes (fully written, padding zeroed).
void pack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* sub, uint8_t* packed);

// Writes the sub-codes of vectors first .. first + n − 1 (sub: n * nsub bytes) into a packed array of
// packed_bytes(first + n) bytes or more: vectors sharing a block with earlier ones one at a time (those
// are left untouched), whole blocks by a per-ISA kernel (fastscan_pack_kernels.h: an AVX2 transpose at
// IPAQ_SIMD avx2 and above, the scalar pair-by-pair reference otherwise; byte-identical), the free lanes
// of a last partial block zeroed. Used to append to flat and IVF arrays.
void pack_4bit_codes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* sub,
                        uint8_t* packed);

// Writes the sub-codes of one vector (nsub bytes) at position i of a packed array, for appending to an
// array whose size is already packed_bytes(i + 1) or more. Other vectors are left untouched.
void pack_4bit_code_at(const FastScanLayout& layout, size_t i, const uint8_t* sub, uint8_t* packed);

// Writes the sub-codes of vectors first .. first + n − 1 (sub: n * nsub bytes), which must lie in one block
// (first % kBlockSize + n <= kBlockSize), into a packed array of packed_bytes(first + n) bytes or more,
// whole bytes at a time: the byte of pair p in a vector's lane holds both its nibbles (an odd group's
// padding nibble written 0), so the block's other lanes are untouched and nothing is zeroed — for
// appending or overwriting a few vectors of a block, where pack_4bit_codes_at goes nibble by nibble
// (pack_4bit_code_at). Equals pack_4bit_code_at per vector on lanes whose padding nibbles are 0 (as every
// packer leaves them). A sub-code >= 16 → InvalidArgument before anything is written; a range crossing a
// block boundary → InvalidArgument.
void pack_4bit_lanes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* sub, uint8_t* packed);

// The inverse of pack: packed (packed_bytes(n) bytes) -> sub: n * nsub bytes.
void unpack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* packed, uint8_t* sub);

// The sub-codes of vectors first .. first + n − 1 of a packed array (packed_bytes(first + n) bytes or
// more) -> sub: n * nsub bytes. The inverse of pack_4bit_codes_at, for indexes that keep only the packed
// layout (reconstruct, export, compaction).
void unpack_4bit_codes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* packed,
                          uint8_t* sub);

// Compacts a packed array of n vectors in place: keeps vector i iff keep[i] != 0 (n flags), in order,
// and zeroes the free lanes of the new last block. Returns the number kept, m; the caller may then
// shrink the array to packed_bytes(m).
size_t compact_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* keep, uint8_t* packed);

}  // namespace ipaq
