// Input validation shared by every layer: finiteness of vectors and overflow-safe size arithmetic.
// All functions throw ipaq::InvalidArgument with a message that starts with `what`.
#pragma once

#include <cstddef>

namespace ipaq {

// Throws unless every one of the n values is finite; the message names `what` and the first bad index.
void check_finite(const float* x, size_t n, const char* what);
void check_finite(const double* x, size_t n, const char* what);

// a * b, throwing (naming `what`) instead of wrapping around on overflow.
size_t checked_mul(size_t a, size_t b, const char* what);

}  // namespace ipaq
