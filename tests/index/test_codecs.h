// Test-only codecs for the index tests (they do not depend on lib/codecs' real quantizers):
//  - ExactFloatCodec: stores the float vector itself (code = d floats); estimate_ip is the exact inner
//    product, so an index over it must return the exact top-k (brute-force oracle tests).
//  - Uniform4bitCodec: each coordinate rounded to one of 16 uniform levels on [-range, range] (code =
//    d nibbles, two per byte, then the exact ||x||^2 as a float); it has a 4-bit LUT form (one sub-code
//    per coordinate, lut[j][c] = q_j * level(c)), which exercises the fast-scan path against
//    estimate_ip. When `with_bound` is set it reports the deterministic worst-case error bound
//    sum_j |q_j| * step / 2 as ip_error_bound.
// Thread-safety: const methods are reentrant.
#pragma once

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "lib/codecs/codec.h"

namespace ipaq::testing {

// Common part of the test codecs: the query state keeps the raw query; nothing to serialize.
class TestCodecBase : public Codec {
 protected:
  explicit TestCodecBase(size_t d) : Codec(d) {}
  struct State : QueryState {
    std::vector<float> q;
  };
  std::unique_ptr<State> make_state(const float* q) const {
    auto s = std::make_unique<State>();
    s->q.assign(q, q + dim());
    return s;
  }
  static const std::vector<float>& query_of(const QueryState& qs) { return static_cast<const State&>(qs).q; }
  void serialize_payload(ByteWriter&) const override {}
  void deserialize_payload(ByteReader&) override {}
};

class ExactFloatCodec : public TestCodecBase {
 public:
  explicit ExactFloatCodec(size_t d) : TestCodecBase(d) {}
  std::string descriptor() const override { return "TestExact"; }
  size_t code_size() const override { return dim() * sizeof(float); }
  void encode(size_t n, const float* x, uint8_t* codes) const override {
    std::memcpy(codes, x, n * code_size());
  }
  void decode(size_t n, const uint8_t* codes, float* x) const override { std::memcpy(x, codes, n * code_size()); }
  std::unique_ptr<QueryState> prepare_query(const float* q) const override { return make_state(q); }
  void estimate_ip(const QueryState& qs, size_t n, const uint8_t* codes, float* out) const override {
    const auto& q = query_of(qs);
    for (size_t i = 0; i < n; ++i) {
      double s = 0;
      for (size_t j = 0; j < dim(); ++j) s += double(q[j]) * vec(codes, i)[j];
      out[i] = static_cast<float>(s);
    }
  }
  float stored_norm_sq(const uint8_t* code) const override {
    double s = 0;
    for (size_t j = 0; j < dim(); ++j) s += double(vec(code, 0)[j]) * vec(code, 0)[j];
    return static_cast<float>(s);
  }

 private:
  const float* vec(const uint8_t* codes, size_t i) const {
    return reinterpret_cast<const float*>(codes + i * code_size());
  }
};

class Uniform4bitCodec : public TestCodecBase {
 public:
  Uniform4bitCodec(size_t d, float range, bool with_bound = false)
      : TestCodecBase(d), range_(range), step_(2 * range / 15), with_bound_(with_bound) {}
  std::string descriptor() const override { return "TestU4"; }
  size_t code_size() const override { return (dim() + 1) / 2 + sizeof(float); }
  float level(int c) const { return -range_ + step_ * static_cast<float>(c); }
  void encode(size_t n, const float* x, uint8_t* codes) const override {
    for (size_t i = 0; i < n; ++i) {
      uint8_t* c = codes + i * code_size();
      std::memset(c, 0, code_size());
      double norm = 0;
      for (size_t j = 0; j < dim(); ++j) {
        const float v = std::fmin(std::fmax(x[i * dim() + j], -range_), range_);
        const int q = static_cast<int>(std::lround((v + range_) / step_));
        c[j / 2] |= static_cast<uint8_t>(q << (4 * (j % 2)));
        norm += double(x[i * dim() + j]) * x[i * dim() + j];
      }
      const float nf = static_cast<float>(norm);
      std::memcpy(c + (dim() + 1) / 2, &nf, sizeof(float));
    }
  }
  int sub(const uint8_t* code, size_t j) const { return (code[j / 2] >> (4 * (j % 2))) & 15; }
  void decode(size_t n, const uint8_t* codes, float* x) const override {
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < dim(); ++j) x[i * dim() + j] = level(sub(codes + i * code_size(), j));
  }
  std::unique_ptr<QueryState> prepare_query(const float* q) const override {
    auto s = make_state(q);
    s->lut.resize(dim() * 16);
    for (size_t j = 0; j < dim(); ++j)
      for (int c = 0; c < 16; ++c) s->lut[j * 16 + c] = q[j] * level(c);
    return s;
  }
  void estimate_ip(const QueryState& qs, size_t n, const uint8_t* codes, float* out) const override {
    const auto& q = query_of(qs);
    for (size_t i = 0; i < n; ++i) {
      float s = 0;
      for (size_t j = 0; j < dim(); ++j) s += q[j] * level(sub(codes + i * code_size(), j));
      out[i] = s;
    }
  }
  float stored_norm_sq(const uint8_t* code) const override {
    float nf;
    std::memcpy(&nf, code + (dim() + 1) / 2, sizeof(float));
    return nf;
  }
  bool ip_error_bound(const QueryState& qs, size_t n, const uint8_t*, float* bound) const override {
    if (!with_bound_) return false;
    const auto& q = query_of(qs);
    float b = 0;
    for (float v : q) b += std::fabs(v) * step_ / 2;
    b *= 1.001f;  // float rounding of the estimate's sum
    for (size_t i = 0; i < n; ++i) bound[i] = b;
    return true;
  }
  int lut_bits() const override { return 4; }
  size_t lut_nsub() const override { return dim(); }
  void extract_sub_codes(size_t n, const uint8_t* codes, uint8_t* out) const override {
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < dim(); ++j) out[i * dim() + j] = static_cast<uint8_t>(sub(codes + i * code_size(), j));
  }
  size_t lut_side_offset() const override { return (dim() + 1) / 2; }
  void assemble_codes(size_t n, const uint8_t* sub, const uint8_t* side, size_t side_stride,
                      uint8_t* codes) const override {
    for (size_t i = 0; i < n; ++i) {
      uint8_t* c = codes + i * code_size();
      std::memset(c, 0, lut_side_offset());
      for (size_t j = 0; j < dim(); ++j) c[j / 2] |= static_cast<uint8_t>(sub[i * dim() + j] << (4 * (j % 2)));
      std::memcpy(c + lut_side_offset(), side + i * side_stride, lut_side_size());
    }
  }
  using Codec::finish_lut_sums;
  void finish_lut_sums(const QueryState&, size_t n, const uint8_t*, size_t, const float* sums,
                       float* out) const override {
    for (size_t i = 0; i < n; ++i) out[i] = sums[i];
  }
  float side_norm_sq(const uint8_t* side) const override {
    float nf;
    std::memcpy(&nf, side, sizeof(float));
    return nf;
  }

 private:
  float range_, step_;
  bool with_bound_;
};

}  // namespace ipaq::testing
