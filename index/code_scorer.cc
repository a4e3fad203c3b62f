#include "index/code_scorer.h"

#include "lib/core/error.h"

namespace ipaq {

bool codec_has_4bit_lut(const Codec& codec) { return codec.lut_bits() == 4 && codec.lut_nsub() > 0; }

CodeScorer::CodeScorer(const Codec& codec, faiss::MetricType metric, const FastScanLayout* layout,
                       const FastScan8Layout* layout8)
    : codec_(codec), metric_(metric), layout_(layout), layout8_(layout8) {
  IPAQ_CHECK_ARG(metric == faiss::METRIC_L2 || metric == faiss::METRIC_INNER_PRODUCT,
                 "CodeScorer: metric must be L2 or INNER_PRODUCT, got ", static_cast<int>(metric));
}

void CodeScorer::set_query(const float* q_codec, float offset) {
  state_ = codec_.prepare_query(q_codec);
  offset_ = offset;
  fastscan_ready_ = false;
  fastscan8_ready_ = false;
}

void CodeScorer::ip_to_distances(size_t n, const uint8_t* codes, const uint8_t* side, size_t side_stride,
                                 const float* l2_terms, float* inout) {
  if (metric_ == faiss::METRIC_INNER_PRODUCT) {
    for (size_t i = 0; i < n; ++i) inout[i] += offset_;
    return;
  }
  if (l2_terms != nullptr) {
    for (size_t i = 0; i < n; ++i) inout[i] = offset_ + l2_terms[i] - 2.0f * inout[i];
    return;
  }
  if (side != nullptr) {  // one codec call per run, not one per vector
    norms_.resize(n);
    codec_.side_norms_sq(n, side, side_stride, norms_.data());
    for (size_t i = 0; i < n; ++i) inout[i] = offset_ + norms_[i] - 2.0f * inout[i];
    return;
  }
  const size_t cs = codec_.code_size();
  for (size_t i = 0; i < n; ++i) {
    inout[i] = offset_ + codec_.stored_norm_sq(codes + i * cs) - 2.0f * inout[i];
  }
}

void CodeScorer::distances(size_t n, const uint8_t* codes, float* out, const float* l2_terms) {
  codec_.estimate_ip(*state_, n, codes, out);
  ip_to_distances(n, codes, nullptr, 0, l2_terms, out);
}

void CodeScorer::prepare_fastscan() {
  IPAQ_CHECK(layout_ != nullptr && codec_has_4bit_lut(codec_), StateError, "CodeScorer: codec ",
             codec_.descriptor(), " has no 4-bit LUT form or no fast-scan layout was given");
  const size_t nsub = codec_.lut_nsub();
  IPAQ_CHECK(state_->lut.size() == nsub * 16, StateError, "CodeScorer: codec ", codec_.descriptor(),
             " prepared a LUT of ", state_->lut.size(), " floats, expected ", nsub * 16);
  quantize_lut_into(state_->lut.data(), nsub, 4, layout_->group_begin(), quantized_);
  make_fastscan_lut_into(*layout_, quantized_, fastscan_lut_);
  fastscan_ready_ = true;
  fastscan8_ready_ = false;  // quantized_ now holds the 4-bit tables
}

void CodeScorer::resize_sums(size_t n) {
  int_sums_.resize(n * quantized_.ngroups());
  float_sums_.resize(n * quantized_.ngroups());
}

void CodeScorer::finish(size_t n, const uint8_t* side, size_t side_stride, const float* l2_terms, float* out) {
  quantized_.dequantize(n, int_sums_.data(), float_sums_.data());
  codec_.finish_lut_sums(*state_, n, side, side_stride, float_sums_.data(), out);
  ip_to_distances(n, nullptr, side, side_stride, l2_terms, out);
}

void CodeScorer::distances_fastscan(size_t n, const uint8_t* packed, const uint8_t* side, size_t side_stride,
                                    float* out, const float* l2_terms) {
  if (!fastscan_ready_) prepare_fastscan();
  resize_sums(n);
  scan_4bit(*layout_, fastscan_lut_, n, packed, int_sums_.data());
  finish(n, side, side_stride, l2_terms, out);
}

void CodeScorer::prepare_fastscan8() {
  IPAQ_CHECK(layout8_ != nullptr && codec_.lut_bits() == 8 && codec_.lut_nsub() > 0, StateError, "CodeScorer: codec ",
             codec_.descriptor(), " has no 8-bit LUT form or no 8-bit fast-scan layout was given");
  const size_t nsub = codec_.lut_nsub();
  IPAQ_CHECK(state_->lut.size() == nsub * 256, StateError, "CodeScorer: codec ", codec_.descriptor(),
             " prepared a LUT of ", state_->lut.size(), " floats, expected ", nsub * 256);
  quantize_lut_into(state_->lut.data(), nsub, 8, layout8_->group_begin(), quantized_);
  fastscan8_lut_ = make_fastscan8_lut(*layout8_, quantized_);
  fastscan8_ready_ = true;
  fastscan_ready_ = false;  // quantized_ now holds the 8-bit tables
}

void CodeScorer::distances_fastscan8(size_t n, const uint8_t* packed, const uint8_t* side, size_t side_stride,
                                     float* out, const float* l2_terms) {
  if (!fastscan8_ready_) prepare_fastscan8();
  resize_sums(n);
  scan_8bit_quantized(*layout8_, fastscan8_lut_, n, packed, int_sums_.data());
  finish(n, side, side_stride, l2_terms, out);
}

}  // namespace ipaq
