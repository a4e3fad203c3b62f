// IndexCodecFlat: a flat (exhaustive-scan) faiss::Index over any ipaq Codec.
//
// Storage: `codes` (inherited from faiss::IndexFlatCodes) holds ntotal * code_size bytes, row i = the
// codec's code of (x_i - center); ids are positions 0..ntotal-1 (wrap in faiss::IndexIDMap2 for other
// ids). The center is the mean of the training set when centering is on (it lifts data-oblivious
// rotation codecs on data that is not centred, DESIGN.md §6), else zero.
//
// Scores (FAISS conventions): METRIC_INNER_PRODUCT → estimate of <q, x>, larger first;
// METRIC_L2 → ||q - c||^2 + ||x - c||^2 - 2 est<q - c, x - c>, smaller first, with the stored norm
// of the code. The estimate is the codec's (CodeScorer: fast-scan LUT kernels when the codec has a LUT
// form, else Codec::estimate_ip).
//
// Shapes: x, queries: n * d floats; distances, labels: n * k (missing results: label -1, distance
// +inf for L2 / -inf for IP). sa_encode/sa_decode: n * sa_code_size() bytes = the codec's codes of
// x - center (sa_decode adds the center back).
//
// Threads: search is parallel over queries (OpenMP) and, for a single query, over blocks of the
// database; exceptions are carried out of the parallel regions (OmpExceptionCarrier). Const methods may
// run concurrently; train/add/reset/remove_ids must not overlap with anything else.
//
// Errors (ipaq::Error): d != codec dim, metric not L2/IP, k <= 0, n < 0, null arrays with n > 0,
// non-finite vectors → InvalidArgument; add/search before train → StateError.
#pragma once

#include <faiss/IndexFlatCodes.h>

#include <memory>
#include <vector>

#include "index/score_bounds.h"
#include "lib/codecs/codec.h"

namespace ipaq {

class IndexCodecFlat : public faiss::IndexFlatCodes, public ScoreBoundProvider {
 public:
  IndexCodecFlat(std::unique_ptr<Codec> codec, faiss::MetricType metric, bool center = true);

  void train(idx_t n, const float* x) override;
  void add(idx_t n, const float* x) override;
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  void sa_encode(idx_t n, const float* x, uint8_t* bytes) const override;
  void sa_decode(idx_t n, const uint8_t* bytes, float* x) const override;

  bool score_bounds(const float* query, idx_t n, const idx_t* labels, float* bound) const override;

  const Codec& codec() const { return *codec_; }
  bool centered() const { return centered_; }
  // d floats (zeros when centering is off or before training).
  const std::vector<float>& center() const { return center_; }
  // Restores a trained state (index reader): center must have d floats. Sets is_trained from the codec.
  void set_trained_center(std::vector<float> center);

 private:
  std::unique_ptr<Codec> codec_;
  bool centered_;
  bool center_trained_ = false;
  std::vector<float> center_;
};

}  // namespace ipaq
