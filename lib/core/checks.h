// Input validation shared by every layer: finiteness of vectors and overflow-safe size arithmetic.
// All functions throw ipaq::InvalidArgument with a message that starts with `what`.
#pragma once

#include <cstddef>

namespace ipaq {

// The contract for VECTORS (rows of d floats that get encoded, trained on, searched or reranked): every value
// finite AND each row's squared norm, summed in float32, finite. A row of finite values whose squared norm
// overflows (a value near 3e38, or all values ~1e19 in d = 16) breaks every inner product / L2 kernel
// downstream (FAISS k-means assigns such a row to no centroid), so it is bad input like a NaN.
// x: n * d floats, row-major. Throws InvalidArgument "<what>: row R: value J is not finite (V)" or
// "<what>: row R: squared norm overflows float32 (largest |value| V)"; the first bad row is named.
// n * d is overflow-checked. Use check_finite only for non-vector data (weights, levels, LUTs).
void check_vectors(const float* x, size_t n, size_t d, const char* what);

// Throws unless every one of the n values is finite; the message names `what` and the first bad index.
void check_finite(const float* x, size_t n, const char* what);
void check_finite(const double* x, size_t n, const char* what);

// a * b, throwing (naming `what`) instead of wrapping around on overflow.
size_t checked_mul(size_t a, size_t b, const char* what);

}  // namespace ipaq
