// The extended-RaBitQ rescale-factor search (lib/codecs/rabitq_codec.h): magnitude codes
// k_i = min(⌊t·a_i⌋, top) for a_i = |u_i| >= 0, with t > 0 chosen to maximise the cosine
//     cos(t) = Σ (k_i + 1/2) a_i / sqrt(Σ (k_i + 1/2)²)
// over the prefixes of the critical values t = s/a_i (s = 1..top) taken in increasing (t, i) order
// (t as float(s) / a_i; ties broken by i). Both functions return identical codes for identical input.
//
//   rabitq_rescale_search            sorts the same D·top events with a stable LSD radix sort on the
//                                    float bits of t (3 passes of 11/11/10 bits, passes whose digit is
//                                    shared by all events skipped), events generated in increasing i so
//                                    that ties stay ordered by i; thread-local buffers, no per-call
//                                    allocation once warm. O(D·top). ≈ 7.5× faster at top = 7, D = 1024.
//   rabitq_rescale_search_reference  the original: materialises all D·top events and sorts them,
//                                    O(D·top·log(D·top)) comparison sort. Test reference only.
// Both share the prefix scan (cos compared as num²·best_den > best_num²·den in double: no sqrt), so they
// agree code for code. a: D floats (non-negative, finite), k: D outputs, 1 <= top < 2^15.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq {

void rabitq_rescale_search(const float* a, size_t D, int top, uint16_t* k);
void rabitq_rescale_search_reference(const float* a, size_t D, int top, uint16_t* k);

}  // namespace ipaq
