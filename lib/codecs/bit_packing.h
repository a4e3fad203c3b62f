// Bit packing of fixed-width fields, LSB-first: field i of width w occupies bits [i·w, (i+1)·w) of the
// byte array, bit k of the array being bit (k mod 8) of byte k/8. This is the code layout every
// rotation codec uses, and it makes a LUT sub-code (g consecutive fields) the (g·w)-bit field at
// bit offset j·g·w — see lib/codecs/rotated_codec.h.
//
// Widths 1..16 bits. Callers size `bytes` as packed_bytes(n, w); pack_fields() zero-fills it first.
// Values wider than w bits are a caller bug: they are masked (never overflow into the next field).
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq {

constexpr size_t packed_bytes(size_t n_fields, int width) { return (n_fields * width + 7) / 8; }

void pack_fields(const uint16_t* values, size_t n_fields, int width, uint8_t* bytes);
void unpack_fields(const uint8_t* bytes, size_t n_fields, int width, uint16_t* values);

// The `width`-bit field (width <= 16) starting at bit `bit_pos`, reading only bytes that hold its bits.
uint32_t read_bit_field(const uint8_t* bytes, size_t bit_pos, int width);

}  // namespace ipaq
