// Exact float distances between two vectors, for reranking (issue 4): inner product and squared L2 with
// four independent accumulators per SIMD level, so the additions of a 1024-d vector are not one dependent
// chain (FAISS 1.7.3's fvec_inner_product / fvec_L2sqr keep one 8-lane accumulator: ~4x the latency).
//
// ExactDistanceFn f = exact_distance_fn(metric_is_l2): resolved once from simd_level() (scalar, AVX2,
// AVX-512); f(a, b, d) = Σ a_i b_i or Σ (a_i − b_i)², float accumulation. Results differ from a sequential
// sum by float rounding only: |f − exact| ≤ d · 2^-23 · Σ |term_i| (tested); on integer-valued data whose
// partial sums stay below 2^24 every level returns the exact value (tested bit for bit).
// Arrays: a, b of d floats (any alignment, d ≥ 0). Thread-safe (pure).
#pragma once

#include <cstddef>

namespace ipaq {

using ExactDistanceFn = float (*)(const float* a, const float* b, size_t d);

ExactDistanceFn exact_distance_fn(bool l2);

namespace exact_detail {
float inner_product_scalar(const float* a, const float* b, size_t d);
float l2sqr_scalar(const float* a, const float* b, size_t d);
float inner_product_avx2(const float* a, const float* b, size_t d);
float l2sqr_avx2(const float* a, const float* b, size_t d);
float inner_product_avx512(const float* a, const float* b, size_t d);
float l2sqr_avx512(const float* a, const float* b, size_t d);
}  // namespace exact_detail

}  // namespace ipaq
