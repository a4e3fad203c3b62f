// IEEE 754 binary16 ("half") conversions in portable C++ (no F16C needed), for per-vector side
// information stored in codes (ASQ per-vector levels). Round-to-nearest-even from float; exact back.
// Values beyond the half range become ±inf (callers keep their values within ±65504); NaN stays NaN.
// Pure, thread-safe.
#pragma once

#include <cstdint>

namespace ipaq {

uint16_t float_to_half(float x);
float half_to_float(uint16_t h);

// x rounded to the nearest half value, as a float.
inline float round_to_half(float x) { return half_to_float(float_to_half(x)); }
// The largest half value <= x / the smallest half value >= x (x finite, |x| <= 65504), as floats.
float half_round_down(float x);
float half_round_up(float x);
// The next half value above x (x itself a finite half value below 65504), as a float.
float half_next_up(float x);

}  // namespace ipaq
