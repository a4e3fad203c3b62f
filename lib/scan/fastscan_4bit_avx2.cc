// AVX2 kernel of scan_4bit. One 32-byte load = one pair of sub-codes for the 32 vectors of a block;
// vpshufb looks up both nibbles in 16-entry tables held twice in a ymm (one copy per 128-bit lane).
//
// Accumulation: a lookup result t holds byte i = value for vector i. Viewed as 16 uint16 words, word w
// is t[2w] + 256·t[2w+1], so
//     mixed += t        (mod 2^16)         odd += t >> 8     (Σ of the odd vectors' values)
// and the even vectors' sums are mixed − 256·odd (mod 2^16). Both are exact while a sum stays below
// 2^16, i.e. for at most 257 terms of ≤ 255: a run of at most kPairsPerRun = 128 pairs (256 terms) is
// accumulated in uint16, then widened and added to uint32 accumulators.
#include <immintrin.h>

#include "lib/scan/fastscan_4bit_kernels.h"

namespace ipaq::scan_detail {
namespace {

constexpr size_t kBlock = 32;
constexpr size_t kPairsPerRun = 128;

// The uint32 sums of one block and group, vectors 0-7, 8-15, 16-23, 24-31.
struct BlockSums {
  __m256i v[4];
};

// Adds the uint16 run sums (even vectors in `even`, odd vectors in `odd`, word w = vectors 2w, 2w+1)
// to the uint32 sums.
inline void widen_into(__m256i even, __m256i odd, BlockSums& s) {
  // Interleaving puts the vectors back in order within each 128-bit lane:
  // lo = [v0..7 | v16..23], hi = [v8..15 | v24..31].
  const __m256i lo = _mm256_unpacklo_epi16(even, odd);
  const __m256i hi = _mm256_unpackhi_epi16(even, odd);
  s.v[0] = _mm256_add_epi32(s.v[0], _mm256_cvtepu16_epi32(_mm256_castsi256_si128(lo)));
  s.v[1] = _mm256_add_epi32(s.v[1], _mm256_cvtepu16_epi32(_mm256_castsi256_si128(hi)));
  s.v[2] = _mm256_add_epi32(s.v[2], _mm256_cvtepu16_epi32(_mm256_extracti128_si256(lo, 1)));
  s.v[3] = _mm256_add_epi32(s.v[3], _mm256_cvtepu16_epi32(_mm256_extracti128_si256(hi, 1)));
}

// Sums pairs [begin, end) of one block (end − begin ≤ kPairsPerRun) into s.
inline void scan_run(const uint8_t* block, const uint8_t* lo_tables, const uint8_t* hi_tables, size_t begin,
                     size_t end, BlockSums& s) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  __m256i mixed = _mm256_setzero_si256();
  __m256i odd = _mm256_setzero_si256();
  for (size_t p = begin; p < end; ++p) {
    const __m256i codes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + p * kBlock));
    const __m256i lo_table = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo_tables + p * kBlock));
    const __m256i hi_table = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi_tables + p * kBlock));
    const __m256i t_lo = _mm256_shuffle_epi8(lo_table, _mm256_and_si256(codes, nibble));
    const __m256i t_hi = _mm256_shuffle_epi8(hi_table, _mm256_and_si256(_mm256_srli_epi16(codes, 4), nibble));
    mixed = _mm256_add_epi16(mixed, _mm256_add_epi16(t_lo, t_hi));
    odd = _mm256_add_epi16(odd, _mm256_add_epi16(_mm256_srli_epi16(t_lo, 8), _mm256_srli_epi16(t_hi, 8)));
  }
  const __m256i even = _mm256_sub_epi16(mixed, _mm256_slli_epi16(odd, 8));
  widen_into(even, odd, s);
}

inline void store_block(const BlockSums& s, size_t valid, size_t ngroups, size_t g, uint32_t* out) {
  if (ngroups == 1 && valid == kBlock) {
    for (int q = 0; q < 4; ++q) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * q), s.v[q]);
    return;
  }
  alignas(32) uint32_t tmp[kBlock];
  for (int q = 0; q < 4; ++q) _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8 * q), s.v[q]);
  for (size_t i = 0; i < valid; ++i) out[i * ngroups + g] = tmp[i];
}

}  // namespace

void scan_4bit_avx2(const Scan4bitArgs& a) {
  const size_t nblocks = (a.n + kBlock - 1) / kBlock;
  for (size_t b = 0; b < nblocks; ++b) {
    const uint8_t* block = a.packed + b * a.npairs * kBlock;
    const size_t valid = a.n - b * kBlock < kBlock ? a.n - b * kBlock : kBlock;
    for (size_t g = 0; g < a.ngroups; ++g) {
      BlockSums s;
      for (auto& v : s.v) v = _mm256_setzero_si256();
      for (size_t p = a.pair_begin[g]; p < a.pair_begin[g + 1]; p += kPairsPerRun) {
        const size_t end = p + kPairsPerRun < a.pair_begin[g + 1] ? p + kPairsPerRun : a.pair_begin[g + 1];
        scan_run(block, a.lo_tables, a.hi_tables, p, end, s);
      }
      store_block(s, valid, a.ngroups, g, a.sums + b * kBlock * a.ngroups);
    }
  }
}

}  // namespace ipaq::scan_detail
