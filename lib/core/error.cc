#include "lib/core/error.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "lib/core/checks.h"

namespace ipaq {

namespace {

// True if x[0 .. n) has a NaN or ±inf: exponent bits all ones, tested four values at a time without a
// branch per value (SSE2, the x86-64 baseline; a scalar loop elsewhere).
bool any_non_finite(const float* x, size_t n) {
  size_t i = 0;
  bool found = false;
#if defined(__SSE2__)
  const __m128i exponent = _mm_set1_epi32(0x7f800000);
  __m128i hit0 = _mm_setzero_si128(), hit1 = _mm_setzero_si128();
  for (; i + 8 <= n; i += 8) {
    const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i));
    const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i + 4));
    hit0 = _mm_or_si128(hit0, _mm_cmpeq_epi32(_mm_and_si128(v0, exponent), exponent));
    hit1 = _mm_or_si128(hit1, _mm_cmpeq_epi32(_mm_and_si128(v1, exponent), exponent));
  }
  found = _mm_movemask_epi8(_mm_or_si128(hit0, hit1)) != 0;
#endif
  for (; i < n; ++i) found |= !std::isfinite(x[i]);
  return found;
}

}  // namespace

void check_finite(const float* x, size_t n, const char* what) {
  // Chunks screened without a branch per value (search checks whole query batches, index issue 4), then
  // the first non-finite value of a failing chunk is named.
  constexpr size_t kChunk = 1024;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const size_t end = std::min(n, begin + kChunk);
    if (!any_non_finite(x + begin, end - begin)) continue;
    for (size_t i = begin; i < end; ++i) {
      if (!std::isfinite(x[i])) {
        throw InvalidArgument(format_message(what, ": value ", i, " is not finite (", x[i], ")"));
      }
    }
  }
}

void check_finite(const double* x, size_t n, const char* what) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(format_message(what, ": value ", i, " is not finite (", x[i], ")"));
    }
  }
}

namespace {

// Squared norm of one row summed in float32 with eight independent partial sums (so the compiler keeps
// them in registers without -ffast-math). The sum is non-finite iff a value is non-finite or the float32
// squared norm overflows (all terms are >= 0, so the order of summation cannot hide an overflow).
float row_norm_sq_f32(const float* row, size_t d) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t j = 0;
  for (; j + 8 <= d; j += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += row[j + k] * row[j + k];
  }
  float s = 0;
  for (; j < d; ++j) s += row[j] * row[j];
  for (int k = 0; k < 8; ++k) s += acc[k];
  return s;
}

}  // namespace

void check_vectors(const float* x, size_t n, size_t d, const char* what) {
  checked_mul(n, d, what);
  for (size_t i = 0; i < n; ++i) {
    const float* row = x + i * d;
    if (std::isfinite(row_norm_sq_f32(row, d))) continue;
    float largest = 0;
    for (size_t j = 0; j < d; ++j) {
      if (!std::isfinite(row[j])) {
        throw InvalidArgument(format_message(what, ": row ", i, ": value ", j, " is not finite (", row[j], ")"));
      }
      largest = std::max(largest, std::fabs(row[j]));
    }
    throw InvalidArgument(
        format_message(what, ": row ", i, ": squared norm overflows float32 (largest |value| ", largest, ")"));
  }
}

size_t checked_mul(size_t a, size_t b, const char* what) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r)) {
    throw InvalidArgument(format_message(what, ": size ", a, " * ", b, " overflows"));
  }
  return r;
}

}  // namespace ipaq
