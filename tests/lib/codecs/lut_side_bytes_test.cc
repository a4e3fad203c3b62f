// The side-bytes split of the LUT form (lib/codecs/codec.h, "Side bytes"): for every codec with a LUT
// form, a code is its sub-codes (extract_sub_codes) plus lut_side_size() side bytes, assemble_codes()
// rebuilds it byte for byte, and finish_lut_sums() / side_norm_sq() / side_norms_sq() read the side bytes from a compact or
// strided array exactly as from the row-major codes. Odd sub-code counts (the padding nibble), TurboQuant_prod's
// two groups, 8-bit LUT codecs (6-bit sub-codes) and a zero vector are included.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "codec_test_data.h"
#include "lib/codecs/codec.h"
#include "lib/core/error.h"

namespace ipaq {
namespace {

struct SideCase {
  std::string descriptor;
  size_t d;
  int sub_bits = 4;  // width of the last sub-code's field (the 8-bit LUT forms: 6 or 8)
};

class LutSideBytesTest : public ::testing::TestWithParam<SideCase> {};

TEST_P(LutSideBytesTest, AssembleInvertsExtractAndSideReadsEqualCodeReads) {
  const SideCase& c = GetParam();
  ASSERT_TRUE(is_codec_descriptor(c.descriptor));
  constexpr size_t kN = 37;
  auto x = test::random_unit_vectors(kN, c.d, 5);
  for (size_t i = 0; i < kN; ++i)
    for (size_t j = 0; j < c.d; ++j) x[i * c.d + j] *= 0.5f + 0.1f * static_cast<float>(i);
  std::fill_n(x.begin() + 3 * c.d, c.d, 0.0f);  // a zero vector: all fields and factors 0
  auto codec = make_codec(c.descriptor, c.d, CodecOptions{9});
  if (!codec->is_trained()) codec->train(kN, x.data());
  ASSERT_NE(codec->lut_bits(), 0);
  const size_t cs = codec->code_size(), nsub = codec->lut_nsub(), side_size = codec->lut_side_size();
  // Rotation codecs: the side bytes are ‖x‖ and one scale per LUT group.
  EXPECT_EQ(side_size, sizeof(float) * (1 + codec->lut_groups()));
  EXPECT_EQ(codec->lut_side_offset() + side_size, cs);
  std::vector<uint8_t> codes(kN * cs);
  codec->encode(kN, x.data(), codes.data());
  std::vector<uint8_t> sub(kN * nsub);
  codec->extract_sub_codes(kN, codes.data(), sub.data());

  // Compact side array (stride = side size) and a padded one (stride = side size + 3).
  for (size_t stride : {side_size, side_size + 3}) {
    SCOPED_TRACE("stride " + std::to_string(stride));
    std::vector<uint8_t> side(kN * stride, 0xAB);
    for (size_t i = 0; i < kN; ++i)
      std::memcpy(side.data() + i * stride, codes.data() + i * cs + codec->lut_side_offset(), side_size);
    std::vector<uint8_t> assembled(kN * cs, 0xCD);  // garbage first: every byte must be written
    codec->assemble_codes(kN, sub.data(), side.data(), stride, assembled.data());
    EXPECT_EQ(assembled, codes);

    // finish_lut_sums over the side array equals the row-major form bit for bit, on arbitrary sums.
    auto q = test::random_unit_vectors(1, c.d, 6);
    auto qs = codec->prepare_query(q.data());
    std::vector<float> sums(kN * codec->lut_groups());
    for (size_t i = 0; i < sums.size(); ++i) sums[i] = 0.25f * static_cast<float>(i % 13) - 1.0f;
    std::vector<float> from_codes(kN), from_side(kN);
    codec->finish_lut_sums(*qs, kN, codes.data(), sums.data(), from_codes.data());
    codec->finish_lut_sums(*qs, kN, side.data(), stride, sums.data(), from_side.data());
    EXPECT_EQ(from_side, from_codes);
    std::vector<float> norms(kN);
    codec->side_norms_sq(kN, side.data(), stride, norms.data());
    for (size_t i = 0; i < kN; ++i) {
      EXPECT_EQ(codec->side_norm_sq(side.data() + i * stride), codec->stored_norm_sq(codes.data() + i * cs)) << i;
      EXPECT_EQ(norms[i], codec->stored_norm_sq(codes.data() + i * cs)) << i;
    }
  }

  // A sub-code wider than its field and a stride below the side size are rejected.
  const std::vector<size_t> begin = codec->lut_group_begin();
  std::vector<uint8_t> out(cs);
  std::vector<uint8_t> side(side_size);
  // The field width is right: every last sub-code fits it (a 6-bit field holds values up to 63).
  ASSERT_LE(c.sub_bits, codec->lut_bits());
  for (size_t i = 0; i < kN; ++i) ASSERT_EQ(sub[i * nsub + nsub - 1] >> c.sub_bits, 0) << i;
  if (c.sub_bits < 8) {  // an 8-bit field has no too-wide value
    std::vector<uint8_t> bad(sub.begin(), sub.begin() + nsub);
    bad[nsub - 1] = static_cast<uint8_t>(1u << c.sub_bits);
    EXPECT_THROW(codec->assemble_codes(1, bad.data(), side.data(), side_size, out.data()), InvalidArgument);
  }
  EXPECT_THROW(codec->assemble_codes(1, sub.data(), side.data(), side_size - 1, out.data()), InvalidArgument);
}

std::vector<SideCase> side_cases() {
  return {{"TQ4", 100},       {"TQ2", 64},         {"TQ1", 784},        {"RaBitQ1", 784},   {"RaBitQ2", 100},
          {"RaBitQ4", 64},    {"EDEN2", 100},      {"EDEN1", 128},      {"TQP2", 100},      {"TQP3", 64},
          {"ASQ4", 128},      {"ASQ2_center", 64}, {"BSQ1x4", 64},      {"TQ4_haar", 21},   {"TQ1_haar", 26},
          {"TQP2_haar", 26},  {"TQP3_haar", 21},   {"RaBitQ1_center", 100},
          // 8-bit LUT forms (3-bit elements: two per 6-bit sub-code; 8-bit elements)
          {"TQ3", 64, 6},     {"TQ3_haar", 21, 6}, {"RaBitQ3", 64, 6},  {"TQ8", 64, 8}};
}

INSTANTIATE_TEST_SUITE_P(LutCodecs, LutSideBytesTest, ::testing::ValuesIn(side_cases()), [](const auto& info) {
  return info.param.descriptor + "_d" + std::to_string(info.param.d);
});

TEST(LutSideBytes, CodecWithoutLutFormHasNoSideBytes) {
  auto x = test::random_unit_vectors(8, 64, 3);
  auto codec = make_codec("ASQ4v", 64);  // per-vector codebooks: no LUT form
  if (!codec->is_trained()) codec->train(8, x.data());
  ASSERT_EQ(codec->lut_bits(), 0);
  EXPECT_EQ(codec->lut_side_offset(), codec->code_size());
  EXPECT_EQ(codec->lut_side_size(), 0u);
  std::vector<uint8_t> code(codec->code_size()), sub(1);
  EXPECT_THROW(codec->assemble_codes(1, sub.data(), code.data(), 0, code.data()), StateError);
  EXPECT_THROW(codec->side_norm_sq(code.data()), StateError);
  float norm = 0;
  EXPECT_THROW(codec->side_norms_sq(1, code.data(), 0, &norm), StateError);
}

}  // namespace
}  // namespace ipaq
