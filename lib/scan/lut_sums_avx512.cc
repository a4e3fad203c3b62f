// lut_sums for 4-bit sub-codes (16-float LUT rows) with AVX-512: 16 vectors per register, one lane each.
// Per step of four sub-codes, one gather reads four sub-code bytes of each of the 16 vectors (32-bit lane
// l = bytes j..j+3 of vector l's row; j a multiple of 4, so with nsub % 4 == 0 the read stays inside the
// row); the LUT row of sub-code j + k is looked up for all lanes at once by vpermps, which uses the low 4
// bits of each lane's index: byte k shifted down (the sub-code, < 16, in its low nibble). Each lane adds
// in sub-code order from 0.0f, as lut_sums_scalar: the same bits. Two registers (32 vectors) per pass
// hide the add latency.
#include <immintrin.h>

#include <algorithm>

#include "lib/scan/lut_sums.h"

namespace ipaq {

namespace {

// Byte offsets of rows 0 .. lanes - 1 in the 16 lanes; lanes past `lanes` read row 0 (their sums are not stored).
inline __m512i row_offsets(size_t lanes, size_t nsub) {
  alignas(64) int32_t off[16];
  for (size_t l = 0; l < 16; ++l) off[l] = static_cast<int32_t>((l < lanes ? l : 0) * nsub);
  return _mm512_load_si512(off);
}

}  // namespace

void lut_sums_avx512(size_t m, size_t nsub, const uint8_t* sub, const float* lut, const size_t* group_begin,
                     size_t groups, float* sums) {
  constexpr size_t kLanes = 16;
  // Masked forms with a zero source: GCC 12 warns about the unmasked intrinsics' undefined sources.
  constexpr __mmask16 kAll = 0xFFFF;
  const __m512i zero = _mm512_setzero_si512();
  alignas(64) float out[2][kLanes];
  for (size_t i0 = 0; i0 < m; i0 += 2 * kLanes) {
    const size_t lanes0 = std::min(kLanes, m - i0);
    const size_t lanes1 = m - i0 > kLanes ? std::min(kLanes, m - i0 - kLanes) : 0;
    const uint8_t* s0 = sub + i0 * nsub;
    const uint8_t* s1 = lanes1 > 0 ? s0 + kLanes * nsub : s0;
    const __m512i off0 = row_offsets(lanes0, nsub);
    const __m512i off1 = row_offsets(lanes1 > 0 ? lanes1 : 1, nsub);
    for (size_t g = 0; g < groups; ++g) {
      __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
      size_t j = group_begin[g];
      const size_t end = group_begin[g + 1];
      while (j < end) {
        const size_t j4 = j & ~size_t{3};
        const __m512i b0 = _mm512_mask_i32gather_epi32(zero, kAll, off0, s0 + j4, 1);
        const __m512i b1 = _mm512_mask_i32gather_epi32(zero, kAll, off1, s1 + j4, 1);
        const size_t stop = std::min(end, j4 + 4);
        for (; j < stop; ++j) {
          const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(8 * (j - j4)));
          const __m512 row = _mm512_loadu_ps(lut + j * 16);
          acc0 = _mm512_add_ps(acc0, _mm512_maskz_permutexvar_ps(kAll, _mm512_maskz_srl_epi32(kAll, b0, shift), row));
          acc1 = _mm512_add_ps(acc1, _mm512_maskz_permutexvar_ps(kAll, _mm512_maskz_srl_epi32(kAll, b1, shift), row));
        }
      }
      _mm512_store_ps(out[0], acc0);
      _mm512_store_ps(out[1], acc1);
      for (size_t l = 0; l < lanes0; ++l) sums[(i0 + l) * groups + g] = out[0][l];
      for (size_t l = 0; l < lanes1; ++l) sums[(i0 + kLanes + l) * groups + g] = out[1][l];
    }
  }
}

// Per block: its two 16-lane halves side by side (two add chains); per pair row, one 16-byte load per half,
// widened to 32-bit lanes: the low nibble indexes sub-code lo's LUT row, the high nibble lo + 1's (vpermps
// uses an index's low 4 bits, so the high nibble is shifted down first and the low one needs no mask).
// Each lane adds in sub-code order from 0.0f, as lut_sums_packed4_scalar.
void lut_sums_packed4_avx512(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m,
                             const float* lut, float* sums) {
  constexpr size_t kBlock = FastScanLayout::kBlockSize, kLanes = 16;
  constexpr __mmask16 kAll = 0xFFFF;
  const std::vector<size_t>& group_begin = layout.group_begin();
  const std::vector<size_t>& pair_begin = layout.pair_begin();
  const size_t groups = layout.ngroups();
  const __m128i four = _mm_cvtsi32_si128(4);
  auto widen16 = [](const uint8_t* bytes) {  // 16 bytes -> 16 zero-extended 32-bit lanes
    return _mm512_maskz_cvtepu8_epi32(kAll, _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes)));
  };
  alignas(64) float out[2][kLanes];
  for (size_t i = 0; i < m;) {
    const size_t v = first + i, lane0 = v % kBlock, lanes = std::min(m - i, kBlock - lane0);
    const uint8_t* block = packed + (v / kBlock) * layout.block_bytes();
    for (size_t g = 0; g < groups; ++g) {
      __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
      for (size_t p = pair_begin[g]; p < pair_begin[g + 1]; ++p) {
        const size_t lo = group_begin[g] + 2 * (p - pair_begin[g]);
        const __m512i b0 = widen16(block + p * kBlock), b1 = widen16(block + p * kBlock + kLanes);
        const __m512 row_lo = _mm512_loadu_ps(lut + lo * 16);
        acc0 = _mm512_add_ps(acc0, _mm512_maskz_permutexvar_ps(kAll, b0, row_lo));
        acc1 = _mm512_add_ps(acc1, _mm512_maskz_permutexvar_ps(kAll, b1, row_lo));
        if (lo + 1 < group_begin[g + 1]) {
          const __m512 row_hi = _mm512_loadu_ps(lut + (lo + 1) * 16);
          acc0 = _mm512_add_ps(acc0, _mm512_maskz_permutexvar_ps(kAll, _mm512_maskz_srl_epi32(kAll, b0, four), row_hi));
          acc1 = _mm512_add_ps(acc1, _mm512_maskz_permutexvar_ps(kAll, _mm512_maskz_srl_epi32(kAll, b1, four), row_hi));
        }
      }
      _mm512_store_ps(out[0], acc0);
      _mm512_store_ps(out[1], acc1);
      const float* block_sums = &out[0][0];  // lanes 0..31 of the block
      for (size_t l = 0; l < lanes; ++l) sums[(i + l) * groups + g] = block_sums[lane0 + l];
    }
    i += lanes;
  }
}

}  // namespace ipaq
