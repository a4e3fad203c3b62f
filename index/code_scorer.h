// CodeScorer: the one scan machinery shared by every ipaq index — estimates <q, x_i> for runs of
// codes of one codec against one prepared query.
//
// set_query() prepares the query once (Codec::prepare_query). score() then estimates n codes
// (n * codec.code_size() bytes, row-major as the index stores them) into n floats. The estimate is the
// codec's own Codec::estimate_ip; codecs with a LUT form may be routed through lib/scan kernels (see
// code_scorer.cc), which must agree with estimate_ip within the LUT-quantization bound tested in
// tests/index.
//
// A CodeScorer is per thread (it keeps scratch buffers); the codec must outlive it. Errors: a query
// with a non-finite value → InvalidArgument (checked by the caller index).
#pragma once

#include <memory>
#include <vector>

#include "lib/codecs/codec.h"

namespace ipaq {

class CodeScorer {
 public:
  explicit CodeScorer(const Codec& codec) : codec_(codec) {}

  // q: codec.dim() floats.
  void set_query(const float* q) { state_ = codec_.prepare_query(q); }
  const QueryState& state() const { return *state_; }

  // codes: n * codec.code_size() bytes; ip: n floats.
  void score(size_t n, const uint8_t* codes, float* ip) const { codec_.estimate_ip(*state_, n, codes, ip); }

 private:
  const Codec& codec_;
  std::unique_ptr<QueryState> state_;
};

}  // namespace ipaq
