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

namespace {
// Widths that divide 8: each output byte is PER consecutive fields, OR-ed at constant shifts (the loop
// over bytes vectorizes; no read-modify-write of the output).
template <int W>
void pack_whole_bytes(const uint16_t* values, size_t n_fields, uint8_t* bytes) {
  constexpr size_t kPer = 8 / W;
  constexpr uint32_t kMask = (uint32_t{1} << W) - 1;
  const size_t full = n_fields / kPer;
  for (size_t b = 0; b < full; ++b) {
    const uint16_t* v = values + b * kPer;
    uint32_t byte = 0;
    for (size_t k = 0; k < kPer; ++k) byte |= (v[k] & kMask) << (W * k);
    bytes[b] = static_cast<uint8_t>(byte);
  }
  if (full * kPer < n_fields) {
    uint32_t byte = 0;
    for (size_t k = 0; full * kPer + k < n_fields; ++k) byte |= (values[full * kPer + k] & kMask) << (W * k);
    bytes[full] = static_cast<uint8_t>(byte);
  }
}
}  // namespace

void pack_fields(const uint16_t* values, size_t n_fields, int width, uint8_t* bytes) {
  switch (width) {  // 1, 2, 4, 8 bits: whole fields per byte, no straddling
    case 1: return pack_whole_bytes<1>(values, n_fields, bytes);
    case 2: return pack_whole_bytes<2>(values, n_fields, bytes);
    case 4: return pack_whole_bytes<4>(values, n_fields, bytes);
    case 8: return pack_whole_bytes<8>(values, n_fields, bytes);
    default: break;
  }
  std::memset(bytes, 0, packed_bytes(n_fields, width));
  const uint32_t mask = (uint32_t{1} << width) - 1;
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
