// Nearest-codeword search of BlockSphere (lib/codecs/blocksphere_codec.h): for each of n_elems blocks
// x_e = u[e·p .. e·p + p) pick argmax_c ⟨x_e, c⟩ − ‖c‖²/2 over K codewords (= argmin ‖x_e − c‖²), the
// first maximum on ties. Codebook layout: transposed[k·K + c] = coordinate k of codeword c,
// half_norms[c] = ‖c‖²/2.
//
// Every score is computed as fma(x_{p−1}, c_{p−1}, ... fma(x_0, c_0, −h_c)) in both kernels (std::fma in
// the portable one: slow without hardware FMA, but only the fallback), so the AVX2 kernel (8 codewords per
// register, per-lane running maxima, first maximum on ties) returns exactly the portable kernel's indexes
// and codes do not depend on the SIMD level. blocksphere_nearest() dispatches on simd_level(); the AVX2
// kernel needs K % 8 == 0 (K = 4 runs the portable one).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq {

void blocksphere_nearest(const float* u, size_t n_elems, size_t p, const float* transposed,
                         const float* half_norms, size_t K, uint16_t* idx);

namespace detail {
void blocksphere_nearest_portable(const float* u, size_t n_elems, size_t p, const float* transposed,
                                  const float* half_norms, size_t K, uint16_t* idx);
void blocksphere_nearest_avx2(const float* u, size_t n_elems, size_t p, const float* transposed,
                              const float* half_norms, size_t K, uint16_t* idx);
}  // namespace detail

}  // namespace ipaq
