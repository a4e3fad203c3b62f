#include "lib/scan/lut_quantizer.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/core/simd_level.h"
#include "lib/scan/lut_quantizer_kernels.h"

namespace ipaq {

void check_group_begin(const std::vector<size_t>& group_begin, size_t nsub) {
  IPAQ_CHECK_ARG(group_begin.size() >= 2, "LUT groups: group_begin needs at least 2 boundaries, got ",
                 group_begin.size());
  IPAQ_CHECK_ARG(group_begin.front() == 0, "LUT groups: group_begin must start at 0, got ",
                 group_begin.front());
  IPAQ_CHECK_ARG(group_begin.back() == nsub, "LUT groups: group_begin must end at nsub=", nsub, ", got ",
                 group_begin.back());
  for (size_t g = 0; g + 1 < group_begin.size(); ++g) {
    IPAQ_CHECK_ARG(group_begin[g] <= group_begin[g + 1], "LUT groups: group_begin decreases at group ", g);
  }
}

void check_quantized_lut(const QuantizedLut& quantized, int bits, size_t nsub, const std::vector<size_t>& group_begin,
                         const char* who) {
  IPAQ_CHECK_ARG(quantized.bits == bits, who, ": the LUT must be ", bits, "-bit, got ", quantized.bits, " bits");
  IPAQ_CHECK_ARG(quantized.nsub == nsub, who, ": LUT has ", quantized.nsub, " rows but the layout has nsub=", nsub);
  IPAQ_CHECK_ARG(quantized.group_begin == group_begin, who, ": LUT groups differ from the layout's groups");
}

namespace {

// min and max of one row (width a power of two >= 16): SSE on x86-64 (baseline ISA, four rows of four
// lanes folded, then a horizontal fold), elementwise halvings elsewhere (a float min/max reduction loop
// is not vectorized without -ffast-math). No NaN here: the LUT was checked finite.
template <size_t W>
void row_min_max(const float* row, float* lo, float* hi) {
#if defined(__SSE2__)
  __m128 mn = _mm_loadu_ps(row), mx = mn;
  for (size_t c = 4; c < W; c += 4) {
    const __m128 v = _mm_loadu_ps(row + c);
    mn = _mm_min_ps(mn, v);
    mx = _mm_max_ps(mx, v);
  }
  mn = _mm_min_ps(mn, _mm_movehl_ps(mn, mn));
  mx = _mm_max_ps(mx, _mm_movehl_ps(mx, mx));
  mn = _mm_min_ss(mn, _mm_shuffle_ps(mn, mn, 1));
  mx = _mm_max_ss(mx, _mm_shuffle_ps(mx, mx, 1));
  *lo = _mm_cvtss_f32(mn);
  *hi = _mm_cvtss_f32(mx);
#else
  float mn[W / 2], mx[W / 2];
  for (size_t c = 0; c < W / 2; ++c) {
    mn[c] = std::min(row[c], row[c + W / 2]);
    mx[c] = std::max(row[c], row[c + W / 2]);
  }
  for (size_t w = W / 4; w >= 1; w /= 2) {
    for (size_t c = 0; c < w; ++c) {
      mn[c] = std::min(mn[c], mn[c + w]);
      mx[c] = std::max(mx[c], mx[c + w]);
    }
  }
  *lo = mn[0];
  *hi = mx[0];
#endif
}

// True if every entry is finite: x * 0 is 0 for finite x and NaN for ±inf / NaN, and NaN survives the sum
// (a branch-free loop the compiler vectorizes, unlike check_finite's early exit).
bool all_finite(const float* x, size_t n) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t l = 0; l < 8; ++l) acc[l] += x[i + l] * 0.0f;
  }
  float tail = 0.0f;
  for (; i < n; ++i) tail += x[i] * 0.0f;
  float sum = tail;
  for (float a : acc) sum += a;
  return sum == 0.0f;
}

#if defined(__SSE2__)
// One 16-entry row: out[c] = (uint8) min(max((row[c] - lo) * inv + 1/2, 0), 255), as the scalar loop below.
void quantize_row16(const float* row, float lo, float inv, uint8_t* out) {
  const __m128 vlo = _mm_set1_ps(lo), vinv = _mm_set1_ps(inv), half = _mm_set1_ps(0.5f);
  const __m128 zero = _mm_setzero_ps(), top = _mm_set1_ps(255.0f);
  __m128i w[4];
  for (int k = 0; k < 4; ++k) {
    __m128 v = _mm_add_ps(_mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(row + 4 * k), vlo), vinv), half);
    v = _mm_min_ps(_mm_max_ps(v, zero), top);
    w[k] = _mm_cvttps_epi32(v);  // truncation of a value >= 0: floor
  }
  const __m128i lo16 = _mm_packs_epi32(w[0], w[1]), hi16 = _mm_packs_epi32(w[2], w[3]);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(lo16, hi16));
}
#endif

}  // namespace

QuantizedLut quantize_lut(const float* lut, size_t nsub, int bits, const std::vector<size_t>& group_begin) {
  QuantizedLut q;
  quantize_lut_into(lut, nsub, bits, group_begin, q);
  return q;
}

void quantize_lut_into(const float* lut, size_t nsub, int bits, const std::vector<size_t>& group_begin,
                       QuantizedLut& q) {
  IPAQ_CHECK_ARG(bits == 4 || bits == 8, "quantize_lut: bits must be 4 or 8, got ", bits);
  check_group_begin(group_begin, nsub);
  q.bits = bits;
  q.nsub = nsub;
  q.group_begin = group_begin;
  const size_t width = q.entries_per_row();
  const size_t total = checked_mul(nsub, width, "quantize_lut: LUT size");
  if (!all_finite(lut, total)) check_finite(lut, total, "quantize_lut: LUT");  // throws, naming the entry
  q.table.resize(total);  // every entry is written below (constant groups explicitly zeroed)
  const size_t ngroups = group_begin.size() - 1;
  q.scale.assign(ngroups, 0.0f);
  q.bias.assign(ngroups, 0.0f);

  q.row_min_scratch.resize(nsub);
  float* row_min = q.row_min_scratch.data();
  const SimdLevel level = width == 16 ? simd_level() : SimdLevel::kScalar;
  for (size_t g = 0; g < ngroups; ++g) {
    float max_range = 0.0f;
    double bias = 0.0;  // the sum of many minima: accumulate in double, round once
    const size_t rows = group_begin[g + 1] - group_begin[g];
    const float* first = lut + group_begin[g] * width;
    if (level != SimdLevel::kScalar) {
      // The same minima, ranges, bias and entries as the loops below (lut_quantizer_kernels.h).
      max_range = level == SimdLevel::kAvx512
                      ? lut_detail::row_minima16_avx512(first, rows, row_min + group_begin[g], &bias)
                      : lut_detail::row_minima16_avx2(first, rows, row_min + group_begin[g], &bias);
      const float scale = max_range / 255.0f;
      q.scale[g] = scale;
      q.bias[g] = static_cast<float>(bias);
      uint8_t* out = q.table.data() + group_begin[g] * width;
      if (scale == 0.0f) {
        std::fill(out, out + rows * width, uint8_t{0});
        continue;
      }
      if (level == SimdLevel::kAvx512) {
        lut_detail::quantize_rows16_avx512(first, rows, row_min + group_begin[g], 1.0f / scale, out);
      } else {
        lut_detail::quantize_rows16_avx2(first, rows, row_min + group_begin[g], 1.0f / scale, out);
      }
      continue;
    }
    for (size_t j = group_begin[g]; j < group_begin[g + 1]; ++j) {
      const float* row = lut + j * width;
      float lo, hi;
      if (width == 16) row_min_max<16>(row, &lo, &hi);
      else row_min_max<256>(row, &lo, &hi);
      row_min[j] = lo;
      bias += lo;
      max_range = std::max(max_range, hi - lo);
    }
    const float scale = max_range / 255.0f;
    q.scale[g] = scale;
    q.bias[g] = static_cast<float>(bias);
    if (scale == 0.0f) {  // all rows constant: table 0, the bias is the exact sum
      std::fill(q.table.begin() + static_cast<std::ptrdiff_t>(group_begin[g] * width),
                q.table.begin() + static_cast<std::ptrdiff_t>(group_begin[g + 1] * width), uint8_t{0});
      continue;
    }
    const float inv = 1.0f / scale;
    for (size_t j = group_begin[g]; j < group_begin[g + 1]; ++j) {
      const float* row = lut + j * width;
      uint8_t* out = q.table.data() + j * width;
      const float lo = row_min[j];
#if defined(__SSE2__)
      if (width == 16) {
        quantize_row16(row, lo, inv, out);
        continue;
      }
#endif
      for (size_t c = 0; c < width; ++c) {
        // (row[c] − min) / scale ∈ [0, 255] up to float rounding; rounded to nearest (ties up) by
        // truncating level + 1/2 ≥ 0 (a loop the compiler vectorizes, unlike a libm call per entry);
        // the clamp guards the last ulp.
        const float level = std::clamp((row[c] - lo) * inv + 0.5f, 0.0f, 255.0f);
        out[c] = static_cast<uint8_t>(level);
      }
    }
  }
}

void QuantizedLut::dequantize(size_t n, const uint32_t* integer_sums, float* sums) const {
  const size_t ng = ngroups();
  if (ng == 1) {  // the common case, as a loop the compiler vectorizes
    const float s = scale[0], b = bias[0];
    for (size_t i = 0; i < n; ++i) sums[i] = s * static_cast<float>(integer_sums[i]) + b;
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t g = 0; g < ng; ++g) sums[i * ng + g] = dequantize(g, integer_sums[i * ng + g]);
  }
}

float QuantizedLut::error_bound(size_t group) const {
  const size_t rows = group_begin[group + 1] - group_begin[group];
  return static_cast<float>(rows) * scale[group] * 0.5f;
}

}  // namespace ipaq
