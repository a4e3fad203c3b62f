// AVX-512 kernel of scan_8bit: per vector and group, 16 sub-codes per step with one 16-lane gather
// (index = 256·j + code); the < 16 remaining sub-codes use a masked load and masked gather, so nothing
// past the group is read.
// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (GCC bug
// 105593); the warning is about the header, not this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "lib/scan/lut_scan_8bit_kernels.h"

namespace ipaq::scan_detail {

void scan_8bit_avx512(const Scan8bitArgs& a) {
  constexpr size_t kLanes = 16;
  const __m512i row_offsets = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(256));
  for (size_t i = 0; i < a.n; ++i) {
    const uint8_t* code = a.codes + i * a.nsub;
    for (size_t g = 0; g < a.ngroups; ++g) {
      __m512 acc = _mm512_setzero_ps();
      size_t j = a.group_begin[g];
      const size_t end = a.group_begin[g + 1];
      for (; j + kLanes <= end; j += kLanes) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(code + j));
        const __m512i index = _mm512_add_epi32(_mm512_cvtepu8_epi32(bytes), row_offsets);
        acc = _mm512_add_ps(acc, _mm512_i32gather_ps(index, a.lut + j * 256, 4));
      }
      if (j < end) {
        const __mmask16 m = static_cast<__mmask16>((1u << (end - j)) - 1);
        const __m128i bytes = _mm_maskz_loadu_epi8(m, code + j);
        const __m512i index = _mm512_add_epi32(_mm512_cvtepu8_epi32(bytes), row_offsets);
        acc = _mm512_add_ps(acc, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, index, a.lut + j * 256, 4));
      }
      a.sums[i * a.ngroups + g] = _mm512_reduce_add_ps(acc);
    }
  }
}

}  // namespace ipaq::scan_detail
