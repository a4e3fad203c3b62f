#include "lib/core/byte_stream.h"

#include <gtest/gtest.h>

namespace ipaq {
namespace {

TEST(ByteStream, RoundTrip) {
  ByteWriter w;
  w.put_bytes("IPQX", 4);
  w.put<uint32_t>(7);
  w.put<double>(-2.5);
  w.put_string("TQ4");
  w.put_vector(std::vector<float>{1.0f, 2.0f, 3.0f});
  ByteReader r(w.str(), "test");
  r.expect_tag("IPQX");
  EXPECT_EQ(r.get<uint32_t>(), 7u);
  EXPECT_EQ(r.get<double>(), -2.5);
  EXPECT_EQ(r.get_string(), "TQ4");
  EXPECT_EQ(r.get_vector<float>(), (std::vector<float>{1.0f, 2.0f, 3.0f}));
  r.expect_end();
}

TEST(ByteStream, TruncationIsAFormatErrorAtEveryCut) {
  ByteWriter w;
  w.put<uint64_t>(42);
  w.put_vector(std::vector<float>(10, 1.0f));
  const std::string full = w.str();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    ByteReader r(full.data(), cut, "cut");
    EXPECT_THROW(
        {
          r.get<uint64_t>();
          r.get_vector<float>();
        },
        FormatError)
        << "cut at " << cut;
  }
}

TEST(ByteStream, HugeLengthRejectedBeforeAllocation) {
  ByteWriter w;
  w.put<uint64_t>(uint64_t{1} << 60);  // claims 2^60 floats
  ByteReader r(w.str(), "huge");
  try {
    r.get_vector<float>();
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("huge"), std::string::npos);
  }
}

TEST(ByteStream, WrongTagNamesBothTags) {
  ByteReader r(std::string_view("ABCD"), "file.ipaq");
  try {
    r.expect_tag("IPQX");
    FAIL();
  } catch (const FormatError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("IPQX"), std::string::npos);
    EXPECT_NE(m.find("ABCD"), std::string::npos);
  }
}

}  // namespace
}  // namespace ipaq
