// LUT quantization: turns a float lookup table into uint8 tables plus one affine map per group, so that
// sums of table entries can be accumulated in small integers by the SIMD scans (fastscan_4bit.h).
//
// Input: `lut` is nsub * 2^bits floats (bits ∈ {4, 8}), row j = the table of sub-code j; `group_begin`
// splits the nsub rows into contiguous groups (size ngroups + 1, first 0, last nsub, non-decreasing).
// Output, for every row j of group g and every entry c:
//     lut[j][c] ≈ scale[g] · table[j][c] + offset[j],    table[j][c] ∈ [0, 255]
// with offset[j] = min_c lut[j][c] and scale[g] = max over the group's rows of (max_c − min_c) / 255, so
// one scale serves the whole group and the integer sums of a group can be added directly:
//     Σ_{j∈g} lut[j][c_j] ≈ scale[g] · Σ_{j∈g} table[j][c_j] + bias[g],   bias[g] = Σ_{j∈g} offset[j].
//
// Error bound (what callers widen rerank by, and what tests check against): each table entry is rounded
// to nearest, so |lut[j][c] − (scale·table[j][c] + offset[j])| ≤ scale[g] / 2, and for a group sum
//     |exact − dequantize(g, S)| ≤ nsub_g · scale[g] / 2  (+ float rounding of the exact sum itself).
// error_bound(g) returns nsub_g · scale[g] / 2. A group whose entries are all equal gets scale 0 and is
// exact up to float rounding.
//
// Integer limits: a group sum is at most 255 · nsub_g, so uint32 sums are exact for nsub_g < 2^24 (and
// float dequantization keeps every integer sum exact because 255 · nsub_g < 2^24 for nsub_g ≤ 65793).
//
// Errors: bits ∉ {4, 8}, malformed group_begin, or a non-finite entry throw ipaq::InvalidArgument.
// Thread-safety: quantize_lut is a pure function; a QuantizedLut is immutable and may be shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipaq {

struct QuantizedLut {
  int bits = 0;                    // 4 or 8: each row has 2^bits entries
  size_t nsub = 0;                 // number of rows
  std::vector<size_t> group_begin; // ngroups + 1 row boundaries
  std::vector<uint8_t> table;      // nsub * 2^bits quantized entries, row-major
  std::vector<float> scale;        // ngroups
  std::vector<float> bias;         // ngroups: Σ of the row minima of the group
  std::vector<float> row_min_scratch;  // nsub: working space of quantize_lut_into (reused per query)

  size_t ngroups() const { return scale.size(); }
  size_t entries_per_row() const { return size_t{1} << bits; }
  // Float estimate of a group sum from its integer sum.
  float dequantize(size_t group, uint32_t integer_sum) const {
    return scale[group] * static_cast<float>(integer_sum) + bias[group];
  }
  // n * ngroups integer sums (row-major) -> n * ngroups float estimates.
  void dequantize(size_t n, const uint32_t* integer_sums, float* sums) const;
  // nsub_g · scale[g] / 2: the worst-case |exact − dequantized| of group g (see the header comment).
  float error_bound(size_t group) const;
};

// Quantizes `lut` (nsub * 2^bits floats) with the given group boundaries. See the contract above.
QuantizedLut quantize_lut(const float* lut, size_t nsub, int bits, const std::vector<size_t>& group_begin);
// The same into an existing QuantizedLut, reusing its buffers (no allocation once they are large enough:
// per-query scorers keep one).
void quantize_lut_into(const float* lut, size_t nsub, int bits, const std::vector<size_t>& group_begin,
                       QuantizedLut& out);

// Checks that group_begin is a valid split of nsub rows (size ≥ 2, first 0, last nsub, non-decreasing);
// throws InvalidArgument naming the problem otherwise. Shared by every scan entry point.
void check_group_begin(const std::vector<size_t>& group_begin, size_t nsub);

// Checks that `quantized` is a `bits`-bit LUT of nsub rows split by group_begin; throws InvalidArgument
// naming `who` otherwise. Used by the scans that turn a QuantizedLut into kernel-ready tables.
void check_quantized_lut(const QuantizedLut& quantized, int bits, size_t nsub, const std::vector<size_t>& group_begin,
                         const char* who);

}  // namespace ipaq
