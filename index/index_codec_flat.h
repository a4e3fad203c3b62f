// IndexCodecFlat: a flat (exhaustive-scan) faiss::Index over any ipaq Codec.
//
// Storage. Vectors are coded as the codec's code of (x_i - center); ids are positions 0..ntotal-1 (wrap
// in faiss::IndexIDMap2 for other ids). The center is the mean of the training set when centering is on
// (it lifts data-oblivious rotation codecs on data that is not centred, DESIGN.md §6), else zero.
// Each vector is held ONCE, in one of two forms:
//  - fast scan (the codec has a 4-bit LUT form and `fastscan` is on, the default): its sub-codes packed
//    for lib/scan (packed_codes(), FastScanLayout: 32-vector blocks) plus its side bytes (the code bytes
//    the sub-codes do not determine — the per-vector factors, Codec::lut_side_size() bytes) in a compact
//    array (side_bytes(), row i at i * lut_side_size()). The inherited faiss::IndexFlatCodes::codes stays
//    EMPTY; read_codes() assembles codes (Codec::assemble_codes: byte-for-byte the codes added, for codes
//    that encode() produced — bits no sub-code covers come back zero). remove_ids compacts in place. Searches
//    run the SIMD kernels over the packed blocks and finish with the side array (two sequential streams).
//    Memory: ceil(ntotal / 32) * 32 * (4-bit sub-code bytes) + ntotal * side size — about code_size per
//    vector (for RaBitQ1 at d = 784: 128 + 8 = 136 B).
//  - otherwise: `codes` holds ntotal * code_size bytes, row-major, scored by the codec's scalar
//    estimate_ip.
// score_bounds() always uses the scalar estimate_ip (on assembled codes). Appends (add, add_codes,
// merge_from) pack block by block through a 32-vector sub-code buffer; reserve() sizes the arrays for a
// known number of appends (reopen). FAISS base-class methods that would read `codes` directly are
// overridden: reconstruct, reconstruct_n, remove_ids, merge_from, reset; get_FlatCodesDistanceComputer
// (and so get_distance_computer) throws ipaq::StateError (FAISS's own throws "not implemented" here too).
//
// Scores (FAISS conventions): METRIC_INNER_PRODUCT → estimate of <q, x>, larger first;
// METRIC_L2 → ||q - c||^2 + ||x - c||^2 - 2 est<q - c, x - c>, smaller first, with the stored norm
// of the code. The estimate is the codec's (CodeScorer: fast-scan LUT kernels when the codec has a LUT
// form, else Codec::estimate_ip).
//
// Shapes: x, queries: n * d floats; distances, labels: n * k (missing results: label -1, distance
// FLT_MAX for L2 / -FLT_MAX for IP, FAISS's heap convention). sa_encode/sa_decode:
// n * sa_code_size() bytes = the codec's codes of x - center (sa_decode adds the center back).
//
// Threads: search is parallel over queries (OpenMP) and, for a single query, over blocks of the
// database; exceptions are carried out of the parallel regions (OmpExceptionCarrier). Const methods may
// run concurrently; train/add/reset/remove_ids must not overlap with anything else.
//
// Errors (ipaq::Error): d != codec dim, metric not L2/IP, k <= 0, n < 0, null arrays with n > 0,
// non-finite vectors → InvalidArgument; add/search before train → StateError.
#pragma once

#include <faiss/IndexFlatCodes.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "index/score_bounds.h"
#include "lib/codecs/codec.h"
#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_layout.h"

namespace ipaq {

class CodeScorer;

// Whether two codecs are interchangeable for stored codes: the same Codec::serialize bytes
// (descriptor, options, dimension and trained state).
bool same_codec_state(const Codec& a, const Codec& b);

// Moves n codes (code_size bytes each) a run of at most kCodeRun at a time through one buffer:
// fill(first, m, buf) writes codes [first, first + m) into buf, then sink(m, buf) takes them. For
// merge_from and the index reader/writer, so that no second full copy of the codes is ever held.
inline constexpr size_t kCodeRun = 4096;
template <class Fill, class Sink>
void copy_code_runs(size_t n, size_t code_size, Fill&& fill, Sink&& sink) {
  std::vector<uint8_t> run(std::min(n, kCodeRun) * code_size);
  for (size_t b = 0; b < n; b += kCodeRun) {
    const size_t m = std::min(kCodeRun, n - b);
    fill(b, m, run.data());
    sink(m, static_cast<const uint8_t*>(run.data()));
  }
}

class IndexCodecFlat : public faiss::IndexFlatCodes, public ScoreBoundProvider {
 public:
  IndexCodecFlat(std::unique_ptr<Codec> codec, faiss::MetricType metric, bool center = true,
                 bool fastscan = true);

  // Sample queries (nq * d floats) for a workload-weighted codec objective (ASQ{b}w), given before
  // train(). The codec is given the vectors it will score them as: q for METRIC_INNER_PRODUCT, q - center
  // for METRIC_L2 (re-given at train time, once the center is known). Throws InvalidArgument for a codec
  // without a weighted objective, nq < 1, null queries or non-finite values (the codec's checks).
  void set_query_workload(idx_t nq, const float* queries);
  void train(idx_t n, const float* x) override;
  void add(idx_t n, const float* x) override;
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  void sa_encode(idx_t n, const float* x, uint8_t* bytes) const override;
  void sa_decode(idx_t n, const uint8_t* bytes, float* x) const override;
  void reset() override;
  void reconstruct(idx_t key, float* recons) const override;
  void reconstruct_n(idx_t i0, idx_t ni, float* recons) const override;
  // Always throws StateError: scoring goes through search() (CodeScorer), not a FAISS distance computer.
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override;
  // Compacts the remaining vectors; their ids shift down (FAISS IndexFlatCodes semantics).
  size_t remove_ids(const faiss::IDSelector& sel) override;
  // Appends other's codes and empties other. other must be an IndexCodecFlat with the same metric,
  // center and trained codec (the same Codec::serialize bytes: descriptor, seed, trained state), else
  // InvalidArgument. All or nothing: if it throws, both indexes hold what they held before.
  void merge_from(faiss::Index& other, idx_t add_id = 0) override;
  // Appends n already-encoded codes (n * code_size bytes, as produced by sa_encode); ids ntotal...
  // If it throws (e.g. a code the codec rejects), the index is as before.
  void add_codes(idx_t n, const uint8_t* codes);
  // Reserves memory for n more vectors (codes, or packed sub-codes and side bytes), so a sequence of
  // add_codes calls totalling n neither reallocates nor over-allocates.
  void reserve(idx_t n);
  // The stored codes of vectors [first, first + n) (out: n * code_size bytes, as sa_encode produced
  // them), assembled from the packed sub-codes and side bytes under fast scan. Out of range →
  // InvalidArgument.
  void read_codes(idx_t first, idx_t n, uint8_t* out) const;
  // The stored codes of vectors labels[0..n) (each in [0, ntotal), unchecked) into out (n * code_size
  // bytes), through one sub-code buffer for all of them (score_bounds' candidates).
  void gather_codes(size_t n, const idx_t* labels, uint8_t* out) const;
  // Bytes held per stored vector by the code arrays (codes, or packed + side; sizes, not capacities),
  // i.e. the in-memory storage cost; 0 when empty.
  double storage_bytes_per_vector() const;

  bool score_bounds(const float* query, idx_t n, const idx_t* labels, float* estimate,
                    float* bound) const override;

  const Codec& codec() const { return *codec_; }
  bool centered() const { return centered_; }
  // d floats (zeros when centering is off or before training).
  const std::vector<float>& center() const { return center_; }
  // Whether searches run on the packed fast-scan layout.
  bool uses_fastscan() const { return layout_ != nullptr; }
  // The packed fast-scan sub-codes (layout().packed_bytes(ntotal) bytes); empty without fast scan.
  const AlignedBytes& packed_codes() const { return packed_; }
  // The side bytes of every vector (ntotal * codec().lut_side_size() bytes); empty without fast scan.
  const std::vector<uint8_t>& side_bytes() const { return side_; }
  // The fast-scan layout, or null without fast scan.
  const FastScanLayout* layout() const { return layout_.get(); }
  // Restores a trained state (index reader): center must have d floats. Sets is_trained from the codec.
  void set_trained_center(std::vector<float> center);

 private:
  // Prepares `scorer` for query q (d floats): q_codec = q (IP) or q - center (L2), plus the offset.
  void set_scorer_query(CodeScorer& scorer, const float* q, std::vector<float>& scratch) const;
  // Distances of vectors [begin, begin + m) (begin a multiple of 32 on the fast-scan path).
  void score_run(CodeScorer& scorer, size_t begin, size_t m, float* dist) const;
  // Stores vectors [first, first + n) (codes: their n * code_size bytes) into packed_ and side_, already
  // sized for them: block by block through a 32-vector buffer, no n * nsub temporary.
  void pack_range(size_t first, size_t n, const uint8_t* range_codes);
  // The state of the code arrays before appends, for undoing them when they throw: ntotal and, under
  // fast scan, the partly filled last block (appends write into its padding slots).
  struct AppendMark {
    idx_t ntotal = 0;
    std::vector<uint8_t> last_block;
  };
  AppendMark mark_appends() const;
  // Cuts the arrays back to the mark (shrinking never reallocates) and restores its last block.
  void undo_appends(const AppendMark& mark) noexcept;
  // Search with a FAISS heap comparator C (CMin for IP, CMax for L2).
  template <class C>
  void search_impl(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                   const faiss::IDSelector* sel) const;
  // One prepared query over vectors [begin, end) into an initialised heap of k entries.
  template <class C>
  void scan_range(CodeScorer& scorer, size_t begin, size_t end, const faiss::IDSelector* sel, size_t k,
                  float* heap_dist, idx_t* heap_ids) const;

  std::unique_ptr<Codec> codec_;
  bool centered_;
  bool center_trained_ = false;
  std::vector<float> l2_workload_;  // queries kept until train() can subtract the center (L2, centered)
  std::vector<float> center_;
  std::unique_ptr<FastScanLayout> layout_;  // null: no fast scan
  AlignedBytes packed_;                     // layout_->packed_bytes(ntotal) bytes, 64-byte aligned
  std::vector<uint8_t> side_;               // fast scan: ntotal * side_size_ bytes
  size_t side_size_ = 0;                    // fast scan: codec_->lut_side_size()
};

}  // namespace ipaq
