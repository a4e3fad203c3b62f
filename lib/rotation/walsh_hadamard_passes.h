// Internal: the passes of the randomized Hadamard kernels shared by the AVX2 and AVX-512 translation
// units (walsh_hadamard_avx2.cc, walsh_hadamard_avx512.cc). Each TU instantiates them with its own Ops
// type declared in an anonymous namespace, so the instantiations have internal linkage and that TU's ISA
// flags only (as lib/scan/fastscan_4bit_walk.h). Ops provides:
//   using Reg;  static constexpr size_t kLanes;   (floats per register; a block is 8 registers)
//   static Reg load(const float*);  static void store(float*, Reg);  static Reg add(Reg, Reg);
//   static Reg sub(Reg, Reg);  static Reg mul(Reg, Reg);
//   static Reg in_register(Reg);   stages 1 .. kLanes/2 inside one register of consecutive floats
// Every pass computes u + v and u − v of the same two floats as the portable transform, stages in
// increasing order (radix-4 = stages h and 2h), so the result is bit for bit the portable one.
#pragma once

#include <cstddef>

namespace ipaq::detail::hadamard_passes {

template <class Ops>
constexpr size_t kBlock = 8 * Ops::kLanes;

// Sign flip and stages 1 .. kBlock/2 on one block held in 8 registers: the stages inside each register,
// then those between registers (register stride 1, 2, 4); × sc if kScale.
template <class Ops, bool kScale>
inline void block(float* y, const float* s, typename Ops::Reg sc) {
  typename Ops::Reg r[8];
  for (size_t k = 0; k < 8; ++k) r[k] = Ops::in_register(Ops::mul(Ops::load(y + Ops::kLanes * k), Ops::load(s + Ops::kLanes * k)));
  for (size_t h = 1; h < 8; h *= 2)
    for (size_t k = 0; k < 8; ++k)
      if ((k & h) == 0) {
        const auto a = r[k], b = r[k + h];
        r[k] = Ops::add(a, b);
        r[k + h] = Ops::sub(a, b);
      }
  for (size_t k = 0; k < 8; ++k) Ops::store(y + Ops::kLanes * k, kScale ? Ops::mul(r[k], sc) : r[k]);
}

// Stages h and 2h (h >= kBlock) together on quadruples y[i], y[i+h], y[i+2h], y[i+3h], then × sc if kScale.
template <class Ops, bool kScale>
inline void radix4(float* y, size_t n, size_t h, typename Ops::Reg sc) {
  for (size_t start = 0; start < n; start += 4 * h) {
    float* p0 = y + start;
    float* p1 = p0 + h;
    float* p2 = p1 + h;
    float* p3 = p2 + h;
    for (size_t i = 0; i < h; i += Ops::kLanes) {
      const auto a = Ops::load(p0 + i), b = Ops::load(p1 + i);
      const auto c = Ops::load(p2 + i), e = Ops::load(p3 + i);
      const auto s0 = Ops::add(a, b), s1 = Ops::sub(a, b);
      const auto s2 = Ops::add(c, e), s3 = Ops::sub(c, e);
      const auto o0 = Ops::add(s0, s2), o1 = Ops::add(s1, s3);
      const auto o2 = Ops::sub(s0, s2), o3 = Ops::sub(s1, s3);
      Ops::store(p0 + i, kScale ? Ops::mul(o0, sc) : o0);
      Ops::store(p1 + i, kScale ? Ops::mul(o1, sc) : o1);
      Ops::store(p2 + i, kScale ? Ops::mul(o2, sc) : o2);
      Ops::store(p3 + i, kScale ? Ops::mul(o3, sc) : o3);
    }
  }
}

template <class Ops, bool kScale>
inline void radix2(float* y, size_t n, size_t h, typename Ops::Reg sc) {
  for (size_t start = 0; start < n; start += 2 * h) {
    float* p0 = y + start;
    float* p1 = p0 + h;
    for (size_t i = 0; i < h; i += Ops::kLanes) {
      const auto a = Ops::load(p0 + i), b = Ops::load(p1 + i);
      const auto o0 = Ops::add(a, b), o1 = Ops::sub(a, b);
      Ops::store(p0 + i, kScale ? Ops::mul(o0, sc) : o0);
      Ops::store(p1 + i, kScale ? Ops::mul(o1, sc) : o1);
    }
  }
}

// One round (sign flip + transform) for n >= kBlock, the scaling fused into its last pass when kScale.
template <class Ops, bool kScale>
void round(float* y, size_t n, const float* s, typename Ops::Reg sc) {
  const bool blocks_last = n == kBlock<Ops>;
  for (size_t i = 0; i < n; i += kBlock<Ops>) {
    if (kScale && blocks_last) {
      block<Ops, true>(y + i, s + i, sc);
    } else {
      block<Ops, false>(y + i, s + i, sc);
    }
  }
  size_t h = kBlock<Ops>;
  for (; 4 * h <= n; h *= 4) {
    if (kScale && 4 * h == n) {
      radix4<Ops, true>(y, n, h, sc);
    } else {
      radix4<Ops, false>(y, n, h, sc);
    }
  }
  if (h < n) radix2<Ops, kScale>(y, n, h, sc);
}

// Zero-padded copy, then `rounds` rounds (n >= kBlock), the last one scaled.
template <class Ops>
void rounds_from(const float* x, size_t d, size_t n, const float* signs, int rounds, typename Ops::Reg sc, float* y) {
  for (size_t i = 0; i < d; ++i) y[i] = x[i];
  for (size_t i = d; i < n; ++i) y[i] = 0.0f;
  for (int k = 0; k < rounds; ++k) {
    const float* s = signs + static_cast<size_t>(k) * n;
    if (k + 1 == rounds) {
      round<Ops, true>(y, n, s, sc);
    } else {
      round<Ops, false>(y, n, s, sc);
    }
  }
}

}  // namespace ipaq::detail::hadamard_passes
