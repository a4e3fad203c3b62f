// 8-bit fast-scan code layout: byte sub-codes of n vectors transposed into blocks of 64 vectors, so that
// one 64-byte load holds the same sub-code of 64 vectors and feeds one 256-entry table lookup
// (fastscan_8bit.h).
//
// Logical input: n vectors × nsub sub-codes, one byte each (any value 0-255), row-major (what
// Codec::extract_sub_codes produces for lut_bits() == 8), split into groups by `group_begin`.
//
// Bit layout. The packed array is nblocks(n) blocks of block_bytes() = 64 · nsub bytes. Block b holds
// vectors 64b … 64b+63; inside it sub-code s occupies bytes [64s, 64s + 64) and
//     byte 64s + i = sub-code s of vector 64b + i.
// No sub-code padding is needed (groups may have any size); n is padded up to a multiple of 64 with
// all-zero vectors, which the scans never report.
//
// Alignment: any alignment is correct; allocate packed arrays 64-byte aligned (ipaq::AlignedBytes,
// aligned_allocator.h) for speed, as for the 4-bit layout.
//
// Errors: a malformed group split or nsub == 0 throws InvalidArgument; sizes are overflow-checked.
// Thread-safety: a layout is immutable; pack/unpack are pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipaq {

class FastScan8Layout {
 public:
  static constexpr size_t kBlockSize = 64;  // vectors per block

  FastScan8Layout(size_t nsub, std::vector<size_t> group_begin);
  explicit FastScan8Layout(size_t nsub) : FastScan8Layout(nsub, {0, nsub}) {}

  size_t nsub() const { return nsub_; }
  size_t ngroups() const { return group_begin_.size() - 1; }
  const std::vector<size_t>& group_begin() const { return group_begin_; }

  size_t block_bytes() const { return nsub_ * kBlockSize; }
  static size_t nblocks(size_t n) { return (n + kBlockSize - 1) / kBlockSize; }
  // Bytes of a packed array holding n vectors (overflow-checked).
  size_t packed_bytes(size_t n) const;

 private:
  size_t nsub_;
  std::vector<size_t> group_begin_;
};

// sub: n * nsub bytes -> packed: layout.packed_bytes(n) bytes (fully written, padding zeroed).
void pack_8bit_codes(const FastScan8Layout& layout, size_t n, const uint8_t* sub, uint8_t* packed);

// Writes the nsub sub-codes of vector i into a packed array already sized for i + 1 vectors or more.
void pack_8bit_code_at(const FastScan8Layout& layout, size_t i, const uint8_t* sub, uint8_t* packed);

// The inverse of pack: packed (packed_bytes(n) bytes) -> sub: n * nsub bytes.
void unpack_8bit_codes(const FastScan8Layout& layout, size_t n, const uint8_t* packed, uint8_t* sub);

// Sub-codes of vectors [first, first + n) of a packed array holding at least first + n vectors -> sub:
// n * nsub bytes (unpack_8bit_codes is the case first = 0).
void unpack_8bit_codes_at(const FastScan8Layout& layout, size_t first, size_t n, const uint8_t* packed,
                          uint8_t* sub);

}  // namespace ipaq
