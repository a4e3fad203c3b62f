#include "lib/codecs/bit_packing.h"

#include <cstring>

namespace ipaq {

uint32_t read_bit_field(const uint8_t* bytes, size_t bit_pos, int width) {
  const size_t first = bit_pos / 8;
  const size_t last = (bit_pos + width - 1) / 8;  // at most first + 2 for width <= 16
  uint32_t window = 0;
  for (size_t b = first; b <= last; ++b) window |= static_cast<uint32_t>(bytes[b]) << (8 * (b - first));
  return (window >> (bit_pos % 8)) & ((uint32_t{1} << width) - 1);
}

void pack_fields(const uint16_t* values, size_t n_fields, int width, uint8_t* bytes) {
  std::memset(bytes, 0, packed_bytes(n_fields, width));
  const uint32_t mask = (uint32_t{1} << width) - 1;
  if (8 % width == 0) {  // 1, 2, 4, 8 bits: whole fields per byte, no straddling
    const size_t per_byte = 8 / width;
    for (size_t i = 0; i < n_fields; ++i)
      bytes[i / per_byte] |= static_cast<uint8_t>((values[i] & mask) << (width * (i % per_byte)));
    return;
  }
  size_t bit = 0;
  for (size_t i = 0; i < n_fields; ++i, bit += width) {
    uint32_t v = (values[i] & mask) << (bit % 8);
    for (size_t b = bit / 8; v != 0; ++b, v >>= 8) bytes[b] |= static_cast<uint8_t>(v);
  }
}

void unpack_fields(const uint8_t* bytes, size_t n_fields, int width, uint16_t* values) {
  for (size_t i = 0; i < n_fields; ++i) values[i] = static_cast<uint16_t>(read_bit_field(bytes, i * width, width));
}

}  // namespace ipaq
