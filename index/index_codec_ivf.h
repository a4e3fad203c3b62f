// IndexCodecIVF: a faiss::IndexIVF whose inverted lists hold ipaq codec codes of residuals.
//
// Each vector x is assigned to its nearest coarse centroid c (the FAISS coarse quantizer, trained by
// k-means in faiss::IndexIVF::train) and the codec encodes r = x - c. Coding the residual is what lets
// data-oblivious rotation codecs beat data-trained PQ on low-intrinsic-dimension data (DESIGN.md §6).
// The codec is trained on residuals of the training set (train_residual).
//
// Scores, with the query prepared for the codec ONCE per query (not per probed list):
//   METRIC_INNER_PRODUCT → <q, c> + est<q, r>;
//   METRIC_L2 → ||q - c||^2 + (||r||^2 + 2 <c, r̂>) - 2 est<q, r>
// where r̂ = codec.decode(code). Every codec's estimate is linear in the query (est<q, r> = <q, r̂>, the
// fast-scan path up to its LUT quantization), so the L2 form equals ||q - c||^2 + ||r||^2 - 2 est<q - c, r>.
// ||q - c||^2 and <q, c> are recomputed per list (FAISS's fvec kernels), not taken from coarse_dis.
// The per-entry term ||r||^2 + 2 <c, r̂> (one float per vector: the codec's stored norm plus twice the
// scalar estimate of <c, r> with the centroid prepared once per list) is kept in memory beside each list,
// not in the codes: it is derived from the codes, so sa_encode codes, add_sa_codes and the index file
// format are unchanged; sync_packed() computes it for new entries (add, add_sa_codes, read_index) and
// recomputes it after remove_ids. Memory per vector under L2 is therefore code_size + 4 bytes (+ the
// fast-scan arrays below).
// The InvertedListScanner is written once for all codecs (CodeScorer underneath) and honours the
// IDSelector in scan_codes. Fast scan: when the codec has a 4-bit LUT form (or an 8-bit one:
// lib/scan/fastscan_8bit.h, 64-vector blocks, AVX-512 VBMI kernel) and `fastscan` is on
// (default), each list's sub-codes are also kept packed for lib/scan (packed per list, appended after
// every add and add_sa_codes via sync_packed(), rebuilt after remove_ids), with the entries' side bytes
// (Codec::lut_side_size(): the per-vector factors) copied into a compact per-list array, and the scanner
// uses the SIMD kernels: it reads the packed sub-codes, the side array and the L2 terms — three
// sequential streams — never the code_size-stride codes. The FAISS invlists keep the full codes
// (FAISS's IndexIVF reads them in many places: search_preassigned, reconstruct, merge, update, files),
// so memory per vector is code_size + packed sub-codes + side bytes (+ 4 B L2 term). FAISS entry
// points that move codes behind the index's back (update_vectors, merge_from, replace_invlists) are
// followed by a full repack only if the caller calls sync_packed(true). nprobe per call via
// faiss::SearchParametersIVF; search is FAISS's (parallel over queries).
//
// Ownership: owns the coarse quantizer (std::unique_ptr; FAISS's own_fields stays false) and the codec.
// sa_encode codes are FAISS's IVF standalone codes: coarse list number (coarse_code_size() bytes) then
// the codec code.
// Errors: as IndexCodecFlat; FAISS's exceptions from inside its search loop are FAISS's
// (faiss::FaissException), validation happens before with ipaq::InvalidArgument; under METRIC_L2, search
// over lists whose L2 terms are missing (codes added without sync_packed()) → ipaq::StateError.
#pragma once

#include <faiss/IndexIVF.h>

#include <memory>

#include "index/score_bounds.h"
#include "lib/codecs/codec.h"
#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_8bit_layout.h"
#include "lib/scan/fastscan_layout.h"

namespace ipaq {

class IndexCodecIVF : public faiss::IndexIVF, public ScoreBoundProvider {
 public:
  // quantizer: an empty faiss index of dimension codec->dim() (IndexFlatL2 or IndexFlatIP).
  IndexCodecIVF(std::unique_ptr<faiss::Index> quantizer, size_t nlist, std::unique_ptr<Codec> codec,
                faiss::MetricType metric, bool fastscan = true);
  ~IndexCodecIVF() override;

  void train_residual(idx_t n, const float* x) override;
  // Sample queries (nq * d floats) for a workload-weighted codec objective (ASQ{b}w), given before
  // train(). The codec scores the query itself under both metrics (the L2 path keeps ||r||^2 + 2<c, r̂>
  // per entry), so the queries go to the codec unchanged. Throws InvalidArgument for a codec without a
  // weighted objective, nq < 1, null queries or non-finite values.
  void set_query_workload(idx_t nq, const float* queries);
  void add_with_ids(idx_t n, const float* x, const idx_t* xids) override;
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  void encode_vectors(idx_t n, const float* x, const idx_t* list_nos, uint8_t* codes,
                      bool include_listno = false) const override;
  void sa_decode(idx_t n, const uint8_t* bytes, float* x) const override;
  void reconstruct_from_offset(int64_t list_no, int64_t offset, float* recons) const override;
  faiss::InvertedListScanner* get_InvertedListScanner(bool store_pairs = false,
                                                      const faiss::IDSelector* sel = nullptr) const override;

  void reset() override;
  size_t remove_ids(const faiss::IDSelector& sel) override;
  // Run by FAISS's merge_from: other must be an IndexCodecIVF whose codec has the same trained state
  // (Codec::serialize bytes; codes of a codec trained on other data would decode wrongly), else
  // InvalidArgument; then FAISS's own checks (d, nlist, code size, the same coarse centroids).
  void check_compatible_for_merge(const faiss::Index& other) const override;

  // Error bounds for IndexRerank (index/score_bounds.h), with the codec's reference estimate. Needs the
  // id -> (list, offset) map: returns false (no bounds, rerank scores every candidate) unless
  // make_direct_map() was called (it costs 8 B per vector); false also for codecs without a bound.
  // IP: <q, c> + est<q, r>, bound = the codec's bound for q. L2: ||q - c||^2 + (||r||^2 + 2 est<c, r>)
  // - 2 est<q, r>; both estimates err, so bound = 2 (bound for q + bound for c). Labels the index does
  // not hold → InvalidArgument.
  bool score_bounds(const float* query, idx_t n, const idx_t* labels, float* estimate,
                    float* bound) const override;

  const Codec& codec() const { return *codec_; }
  bool uses_fastscan() const { return layout_ != nullptr || layout8_ != nullptr; }
  // Packs list entries not yet packed and computes the L2 centroid terms of entries without one (all
  // of them when `full`). Called by add paths; public for add_sa_codes and the index reader. search()
  // throws StateError if a list has entries this was not called for (codes added behind the index's back).
  void sync_packed(bool full = false);
  // METRIC_L2: the terms ||r_i||^2 + 2 <c, r̂_i> of a list, in list order, and how many (= list size
  // after sync_packed). Null / 0 under METRIC_INNER_PRODUCT.
  const float* l2_terms(size_t list_no, size_t* count) const;
  // Fast-scan view of a list (null when fast scan is off): its packed sub-codes and how many entries of
  // the list they cover (entries beyond are scored by the scalar path).
  const FastScanLayout* fastscan_layout() const { return layout_.get(); }
  // The 8-bit fast-scan layout (codecs with lut_bits() == 8), null otherwise; one of the two at most.
  const FastScan8Layout* fastscan8_layout() const { return layout8_.get(); }
  const uint8_t* packed_list(size_t list_no, size_t* count) const;
  // The side bytes (Codec::lut_side_size() per entry: the per-vector factors) of the same packed entries,
  // contiguous, in list order; null when fast scan is off.
  const uint8_t* side_list(size_t list_no) const;

 private:
  std::unique_ptr<faiss::Index> quantizer_owner_;
  std::unique_ptr<Codec> codec_;
  std::unique_ptr<FastScanLayout> layout_;
  std::unique_ptr<FastScan8Layout> layout8_;
  std::vector<AlignedBytes> packed_lists_;  // per list: layout_->packed_bytes(packed_count_[l]) bytes
  std::vector<std::vector<uint8_t>> side_lists_;  // per list: packed_count_[l] * lut_side_size() bytes
  std::vector<size_t> packed_count_;
  std::vector<std::vector<float>> l2_terms_;  // L2 only: per list, ||r_i||^2 + 2 <c, r̂_i>

  void sync_l2_terms(bool full);
};

}  // namespace ipaq
