// IndexCodecIVF: a faiss::IndexIVF whose inverted lists hold ipaq codec codes of residuals.
//
// Each vector x is assigned to its nearest coarse centroid c (the FAISS coarse quantizer, trained by
// k-means in faiss::IndexIVF::train) and the codec encodes r = x - c. Coding the residual is what lets
// data-oblivious rotation codecs beat data-trained PQ on low-intrinsic-dimension data (DESIGN.md §6).
// The codec is trained on residuals of the training set (train_residual).
//
// Scores: METRIC_INNER_PRODUCT → <q, c> + est<q, r> (the query is prepared once per query);
// METRIC_L2 → ||q - c||^2 + ||r||^2 - 2 est<q - c, r> (the query is re-prepared per list).
// The InvertedListScanner is written once for all codecs (CodeScorer underneath) and honours the
// IDSelector in scan_codes. nprobe per call via faiss::SearchParametersIVF; search is FAISS's
// (parallel over queries).
//
// Ownership: owns the coarse quantizer (std::unique_ptr; FAISS's own_fields stays false) and the codec.
// sa_encode codes are FAISS's IVF standalone codes: coarse list number (coarse_code_size() bytes) then
// the codec code.
// Errors: as IndexCodecFlat; FAISS's exceptions from inside its search loop are FAISS's
// (faiss::FaissException), validation happens before with ipaq::InvalidArgument.
#pragma once

#include <faiss/IndexIVF.h>

#include <memory>

#include "lib/codecs/codec.h"

namespace ipaq {

class IndexCodecIVF : public faiss::IndexIVF {
 public:
  // quantizer: an empty faiss index of dimension codec->dim() (IndexFlatL2 or IndexFlatIP).
  IndexCodecIVF(std::unique_ptr<faiss::Index> quantizer, size_t nlist, std::unique_ptr<Codec> codec,
                faiss::MetricType metric);
  ~IndexCodecIVF() override;

  void train_residual(idx_t n, const float* x) override;
  void add_with_ids(idx_t n, const float* x, const idx_t* xids) override;
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  void encode_vectors(idx_t n, const float* x, const idx_t* list_nos, uint8_t* codes,
                      bool include_listno = false) const override;
  void sa_decode(idx_t n, const uint8_t* bytes, float* x) const override;
  void reconstruct_from_offset(int64_t list_no, int64_t offset, float* recons) const override;
  faiss::InvertedListScanner* get_InvertedListScanner(bool store_pairs = false,
                                                      const faiss::IDSelector* sel = nullptr) const override;

  const Codec& codec() const { return *codec_; }

 private:
  std::unique_ptr<faiss::Index> quantizer_owner_;
  std::unique_ptr<Codec> codec_;
};

}  // namespace ipaq
