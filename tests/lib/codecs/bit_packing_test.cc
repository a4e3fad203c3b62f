// Bit packing: round trips, the LSB-first layout, masking.
#include <gtest/gtest.h>

#include <vector>

#include "lib/codecs/bit_packing.h"
#include "lib/core/random.h"

namespace ipaq {
namespace {

TEST(BitPacking, RoundTripsEveryWidth) {
  Rng rng(3);
  for (int width = 1; width <= 16; ++width) {
    for (size_t n : {1, 7, 8, 33, 100}) {
      std::vector<uint16_t> values(n), back(n);
      for (auto& v : values) v = static_cast<uint16_t>(rng.below(uint64_t{1} << width));
      std::vector<uint8_t> bytes(packed_bytes(n, width) + 1, 0xAB);  // sentinel after the packed bytes
      pack_fields(values.data(), n, width, bytes.data());
      EXPECT_EQ(bytes.back(), 0xAB) << "pack wrote past packed_bytes()";
      unpack_fields(bytes.data(), n, width, back.data());
      EXPECT_EQ(values, back) << "width " << width << " n " << n;
    }
  }
}

TEST(BitPacking, LsbFirstLayout) {
  // Fields 1, 2, 3 of width 3 -> bits 001 010 011 LSB-first = 0b011'010'001 = 0xD1, 0x00.
  const uint16_t values[3] = {1, 2, 3};
  uint8_t bytes[2];
  pack_fields(values, 3, 3, bytes);
  EXPECT_EQ(bytes[0], 0xD1);
  EXPECT_EQ(bytes[1], 0x00);
  EXPECT_EQ(read_bit_field(bytes, 3, 6), 2u | (3u << 3));  // a 6-bit sub-code of two 3-bit fields
}

TEST(BitPacking, MasksOversizedValues) {
  const uint16_t values[2] = {0xFF, 0};
  uint8_t bytes[1];
  pack_fields(values, 2, 4, bytes);
  EXPECT_EQ(bytes[0], 0x0F);
}

}  // namespace
}  // namespace ipaq
