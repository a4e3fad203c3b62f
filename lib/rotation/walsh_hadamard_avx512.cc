// AVX-512 kernel of randomized_hadamard (called only when simd_level() >= avx512 and n >= 128; smaller n
// use the AVX2 kernel). Bit for bit the portable kernel, as the AVX2 one (walsh_hadamard_avx2.cc): every
// output of every stage is u + v or u − v of the same two floats, stages in increasing order, the same
// sign and scale multiplications, no FMA. Blocks of 128 floats (stages 1 .. 64) live in 8 registers;
// the radix-4 passes of walsh_hadamard_passes.h follow on 16 lanes, the final scaling fused into the last.
#include <immintrin.h>

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (as in
// lib/scan/fastscan_4bit_avx512.cc; the permutes also -Wuninitialized); false positives in the system header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "lib/rotation/walsh_hadamard.h"
#include "lib/rotation/walsh_hadamard_passes.h"

namespace ipaq::detail {

namespace {

// One stage inside a register: lanes whose bit h is clear get a + b (this lane u, partner v), the others
// b − a (partner u, this lane v).
inline __m512 stage(__m512 a, __m512 partner, __mmask16 upper) {
  return _mm512_mask_blend_ps(upper, _mm512_add_ps(a, partner), _mm512_sub_ps(partner, a));
}

// Stages h = 1, 2, 4, 8 inside one register of 16 consecutive floats.
inline __m512 stages_1_to_8(__m512 a) {
  a = stage(a, _mm512_permute_ps(a, 0xB1), 0xAAAA);                      // [1,0,3,2] per 128-bit lane
  a = stage(a, _mm512_permute_ps(a, 0x4E), 0xCCCC);                      // [2,3,0,1]
  a = stage(a, _mm512_shuffle_f32x4(a, a, _MM_SHUFFLE(2, 3, 0, 1)), 0xF0F0);  // 128-bit lanes swapped in pairs
  return stage(a, _mm512_shuffle_f32x4(a, a, _MM_SHUFFLE(1, 0, 3, 2)), 0xFF00);  // 256-bit halves swapped
}

struct Avx512Ops {
  using Reg = __m512;
  static constexpr size_t kLanes = 16;
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg in_register(Reg a) { return stages_1_to_8(a); }
};

}  // namespace

void randomized_hadamard_avx512(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                                float* y) {
  if (n < hadamard_passes::kBlock<Avx512Ops>) {
    randomized_hadamard_avx2(x, d, n, signs, rounds, scale, y);
    return;
  }
  hadamard_passes::rounds_from<Avx512Ops>(x, d, n, signs, rounds, _mm512_set1_ps(scale), y);
}

}  // namespace ipaq::detail
