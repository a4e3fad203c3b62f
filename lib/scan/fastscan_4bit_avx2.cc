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
#include "lib/scan/fastscan_4bit_walk.h"

namespace ipaq::scan_detail {
namespace {

constexpr size_t kBlock = 32;

struct Avx2Kernel {
  // The uint32 sums of one block and group, vectors 0-7, 8-15, 16-23, 24-31.
  struct Sums {
    __m256i v[4];
  };
  static constexpr size_t kPairsPerRun = 128;
  static constexpr size_t kBlocksPerStep = 4;

  static Sums zero() {
    const __m256i z = _mm256_setzero_si256();
    return {{z, z, z, z}};
  }

  template <size_t NB>
  static void scan_run(const uint8_t* const* blocks, const uint8_t* lo_tables, const uint8_t* hi_tables,
                       size_t begin, size_t end, Sums* s) {
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    __m256i mixed[NB], odd[NB];
    for (size_t k = 0; k < NB; ++k) mixed[k] = odd[k] = _mm256_setzero_si256();
    for (size_t p = begin; p < end; ++p) {
      const __m256i lo_table = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo_tables + p * kBlock));
      const __m256i hi_table = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi_tables + p * kBlock));
#pragma GCC unroll 8
      for (size_t k = 0; k < NB; ++k) {
        const __m256i codes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[k] + p * kBlock));
        const __m256i t_lo = _mm256_shuffle_epi8(lo_table, _mm256_and_si256(codes, nibble));
        const __m256i t_hi = _mm256_shuffle_epi8(hi_table, _mm256_and_si256(_mm256_srli_epi16(codes, 4), nibble));
        mixed[k] = _mm256_add_epi16(mixed[k], _mm256_add_epi16(t_lo, t_hi));
        odd[k] = _mm256_add_epi16(odd[k], _mm256_add_epi16(_mm256_srli_epi16(t_lo, 8), _mm256_srli_epi16(t_hi, 8)));
      }
    }
    for (size_t k = 0; k < NB; ++k) widen_into(mixed[k], odd[k], s[k]);
  }

  // Adds the uint16 run sums of one block to its uint32 sums.
  static void widen_into(__m256i mixed, __m256i odd, Sums& s) {
    const __m256i even = _mm256_sub_epi16(mixed, _mm256_slli_epi16(odd, 8));
    // Interleaving puts the vectors back in order within each 128-bit lane:
    // lo = [v0..7 | v16..23], hi = [v8..15 | v24..31].
    const __m256i lo = _mm256_unpacklo_epi16(even, odd);
    const __m256i hi = _mm256_unpackhi_epi16(even, odd);
    s.v[0] = _mm256_add_epi32(s.v[0], _mm256_cvtepu16_epi32(_mm256_castsi256_si128(lo)));
    s.v[1] = _mm256_add_epi32(s.v[1], _mm256_cvtepu16_epi32(_mm256_castsi256_si128(hi)));
    s.v[2] = _mm256_add_epi32(s.v[2], _mm256_cvtepu16_epi32(_mm256_extracti128_si256(lo, 1)));
    s.v[3] = _mm256_add_epi32(s.v[3], _mm256_cvtepu16_epi32(_mm256_extracti128_si256(hi, 1)));
  }

  static void store(const Sums& s, size_t valid, size_t ngroups, size_t g, uint32_t* out) {
    if (ngroups == 1 && valid == kBlock) {
      for (int q = 0; q < 4; ++q) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * q), s.v[q]);
      return;
    }
    alignas(32) uint32_t tmp[kBlock];
    for (int q = 0; q < 4; ++q) _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8 * q), s.v[q]);
    for (size_t i = 0; i < valid; ++i) out[i * ngroups + g] = tmp[i];
  }
};

}  // namespace

void scan_4bit_avx2(const Scan4bitArgs& a) { walk_blocks<Avx2Kernel>(a); }

}  // namespace ipaq::scan_detail
