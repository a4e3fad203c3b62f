#include "lib/codecs/float16.h"

#include <cstring>

namespace ipaq {

namespace {
uint32_t bits_of(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
float float_of(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
}  // namespace

uint16_t float_to_half(float x) {
  const uint32_t b = bits_of(x);
  const uint16_t sign = static_cast<uint16_t>((b >> 16) & 0x8000u);
  const uint32_t abs = b & 0x7fffffffu;
  if (abs >= 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds beyond 65504: inf
  if (abs < 0x38800000u) {                                               // half subnormal or zero
    // Scale so that the half subnormal unit 2^-24 becomes 1, then round to nearest even in float.
    const float scaled = float_of(abs) * 16777216.0f;  // exact: a power-of-two multiply
    const uint32_t m = static_cast<uint32_t>(scaled);
    const float frac = scaled - static_cast<float>(m);
    uint32_t r = m + ((frac > 0.5f || (frac == 0.5f && (m & 1u))) ? 1u : 0u);
    return static_cast<uint16_t>(sign | r);  // r = 0x400 carries into the smallest normal: still right
  }
  // Normal: rebias the exponent (127 -> 15) and round the 23-bit mantissa to 10 bits, nearest even.
  uint32_t h = ((abs >> 13) - (112u << 10));
  const uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is correct
  return static_cast<uint16_t>(sign | h);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0) {
    const float v = static_cast<float>(mant) * 5.9604644775390625e-8f;  // mant · 2^-24, exact
    return float_of(bits_of(v) | sign);
  }
  if (exp == 31) return float_of(sign | 0x7f800000u | (mant << 13));
  return float_of(sign | ((exp + 112u) << 23) | (mant << 13));
}

namespace {
// Steps a finite half bit pattern one value up (towards +inf).
uint16_t half_step_up(uint16_t h) {
  if (h == 0x8000u) return 0x0001u;       // -0 -> smallest positive subnormal
  if (h & 0x8000u) return static_cast<uint16_t>(h - 1);  // negative: magnitude shrinks
  return static_cast<uint16_t>(h + 1);
}
uint16_t half_step_down(uint16_t h) {
  if (h == 0x0000u) return 0x8001u;
  if (h & 0x8000u) return static_cast<uint16_t>(h + 1);
  return static_cast<uint16_t>(h - 1);
}
}  // namespace

float half_round_down(float x) {
  const uint16_t h = float_to_half(x);
  return half_to_float(half_to_float(h) > x ? half_step_down(h) : h);
}

float half_round_up(float x) {
  const uint16_t h = float_to_half(x);
  return half_to_float(half_to_float(h) < x ? half_step_up(h) : h);
}

float half_next_up(float x) { return half_to_float(half_step_up(float_to_half(x))); }

}  // namespace ipaq
