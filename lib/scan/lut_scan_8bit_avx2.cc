// AVX2 kernel of scan_8bit: per vector and group, 8 sub-codes per step with one 8-lane gather
// (index = 256·j + code), 8 partial sums reduced at the end of the group; the < 8 remaining sub-codes
// are added one by one.
#include <immintrin.h>

#include "lib/scan/lut_scan_8bit_kernels.h"

namespace ipaq::scan_detail {
namespace {

constexpr size_t kLanes = 8;

inline float horizontal_sum(__m256 v) {
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

}  // namespace

void scan_8bit_avx2(const Scan8bitArgs& a) {
  const __m256i row_offsets = _mm256_setr_epi32(0, 256, 512, 768, 1024, 1280, 1536, 1792);
  for (size_t i = 0; i < a.n; ++i) {
    const uint8_t* code = a.codes + i * a.nsub;
    for (size_t g = 0; g < a.ngroups; ++g) {
      __m256 acc = _mm256_setzero_ps();
      size_t j = a.group_begin[g];
      const size_t end = a.group_begin[g + 1];
      for (; j + kLanes <= end; j += kLanes) {
        const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(code + j));
        const __m256i index = _mm256_add_epi32(_mm256_cvtepu8_epi32(bytes), row_offsets);
        acc = _mm256_add_ps(acc, _mm256_i32gather_ps(a.lut + j * 256, index, 4));
      }
      float sum = horizontal_sum(acc);
      for (; j < end; ++j) sum += a.lut[j * 256 + code[j]];
      a.sums[i * a.ngroups + g] = sum;
    }
  }
}

}  // namespace ipaq::scan_detail
