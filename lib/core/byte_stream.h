// Little-endian, bounds-checked serialization used by every persisted ipaq structure (codec parameters,
// index files, RocksDB meta values).
//
// ByteWriter appends to a std::string. ByteReader reads from a non-owned span; every read checks the
// remaining length first and throws ipaq::FormatError naming `context` on truncation, and every
// vector/string length is checked against the bytes left before anything is allocated.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lib/core/error.h"

namespace ipaq {

static_assert(std::endian::native == std::endian::little, "ipaq persists little-endian bytes by memcpy");

class ByteWriter {
 public:
  template <typename T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));  // x86-64 and aarch64 are little-endian; persisted format is LE.
    out_.append(buf, sizeof(T));
  }
  void put_bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void put_string(std::string_view s) {
    put<uint64_t>(s.size());
    out_.append(s.data(), s.size());
  }
  template <typename T>
  void put_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<uint64_t>(v.size());
    put_bytes(v.data(), v.size() * sizeof(T));
  }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  ByteReader(const void* data, size_t size, std::string context)
      : p_(static_cast<const uint8_t*>(data)), left_(size), context_(std::move(context)) {}
  explicit ByteReader(std::string_view s, std::string context = "data")
      : ByteReader(s.data(), s.size(), std::move(context)) {}

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T), "value");
    T v;
    std::memcpy(&v, p_, sizeof(T));
    advance(sizeof(T));
    return v;
  }
  void get_bytes(void* dst, size_t n) {
    need(n, "bytes");
    if (n == 0) return;  // dst may be null (empty vector); memcpy(nullptr, p, 0) is undefined behaviour
    std::memcpy(dst, p_, n);
    advance(n);
  }
  std::string get_string(size_t max_len = 1 << 20) {
    uint64_t n = get<uint64_t>();
    IPAQ_CHECK_FORMAT(n <= max_len, context_, ": string length ", n, " exceeds limit ", max_len);
    need(n, "string");
    std::string s(reinterpret_cast<const char*>(p_), n);
    advance(n);
    return s;
  }
  template <typename T>
  std::vector<T> get_vector() {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n = get<uint64_t>();
    IPAQ_CHECK_FORMAT(n <= left_ / sizeof(T), context_, ": vector of ", n, " elements of ", sizeof(T),
                      " bytes but only ", left_, " bytes left (truncated or corrupted)");
    std::vector<T> v(n);
    get_bytes(v.data(), n * sizeof(T));
    return v;
  }
  // Checks a 4-byte magic tag.
  void expect_tag(const char tag[4]) {
    char got[4];
    need(4, "tag");
    std::memcpy(got, p_, 4);
    IPAQ_CHECK_FORMAT(std::memcmp(got, tag, 4) == 0, context_, ": expected tag '",
                      std::string(tag, 4), "', found '", std::string(got, 4), "' (foreign or corrupted data)");
    advance(4);
  }
  size_t remaining() const { return left_; }
  const uint8_t* position() const { return p_; }
  void skip(size_t n) {
    need(n, "bytes");
    advance(n);
  }
  const std::string& context() const { return context_; }
  // Throws unless everything was consumed.
  void expect_end() const {
    IPAQ_CHECK_FORMAT(left_ == 0, context_, ": ", left_, " unexpected trailing bytes");
  }

 private:
  void need(size_t n, const char* what) const {
    IPAQ_CHECK_FORMAT(n <= left_, context_, ": truncated while reading ", what, " (need ", n,
                      " bytes, ", left_, " left)");
  }
  void advance(size_t n) {
    p_ += n;
    left_ -= n;
  }
  const uint8_t* p_;
  size_t left_;
  std::string context_;
};

}  // namespace ipaq
