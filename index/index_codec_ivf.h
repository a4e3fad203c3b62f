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
// estimate of <c, r> with the centroid prepared once per list — codecs with a LUT form: its exact float
// LUT summed over the sub-codes + finish_lut_sums, equal to the scalar estimate_ip up to float rounding;
// one function for add, sync_packed and the given-codes scanner) is kept in memory beside each list,
// not in the codes: it is derived from the codes, so sa_encode codes, add_sa_codes and the index file
// format are unchanged; sync_packed() computes it for new or changed entries (add, add_sa_codes,
// read_index, remove_ids, update_vectors, merge_from call it).
//
// Storage. Fast scan on (the default, when the codec has a 4-bit LUT form or an 8-bit one:
// lib/scan/fastscan_8bit.h, 64-vector blocks): the invlists are a PackedInvertedLists
// (index/ivf_packed_lists.h), which holds each entry ONCE — its id, its sub-codes packed in the fast-scan
// layout and its side bytes (Codec::lut_side_size(): the per-vector factors) — and assembles row-major codes
// only when FAISS asks for them (get_codes / get_single_code: reconstruct, merge_from, remove_ids, files,
// range search). Memory per vector: 8 (id) + packed sub-codes + side bytes (+ 4 B L2 term), plus each list's
// last-block padding (< 32 resp. 64 entries' sub-codes per list). With 4-bit sub-codes, packed + side = the
// code size (RaBitQ1 at d = 784: 8 + 128 + 8 + 4 = 148 B; measured with 256 lists of 60,000 vectors: 156.3,
// bench/RESULTS.md); 8-bit layouts spend a byte per sub-code, more than the code when sub-codes have fewer
// bits (TQ3: 6-bit sub-codes, 40 B packed + side for a 32-B code at d = 64). Fast scan off (or invlists
// replaced by the caller): FAISS's ArrayInvertedLists with full codes, scored by the codec's scalar
// estimate_ip.
//
// Adds (add / add_with_ids through add_core, add_codes for ipaq::add_sa_codes) append list by list: one
// add_entries call per list and batch, the L2 terms computed from the new codes; FAISS's own entry-by-entry
// paths (faiss::IndexIVF::add_sa_codes, copy_subset_to) work too, followed by sync_packed().
//
// Search. search() assigns the queries (the coarse quantizer, in per-thread slices of the queries as
// FAISS does) and runs search_preassigned(), overridden: per query, per probed list it scores the list's
// packed sub-codes + side bytes + L2 terms (three sequential streams) through CodeScorer's SIMD kernels —
// never assembling a code — or, without packed lists, the list's codes with the scalar estimator. It
// honours nprobe and max_codes (per call via faiss::SearchParametersIVF), the IDSelector (any kind; an
// IDSelectorRange is tested per id rather than by FAISS's sorted-bounds shortcut — same results),
// store_pairs (labels = list << 32 | offset; refused together with a selector, as FAISS does) and
// parallel_mode's PARALLEL_MODE_NO_HEAP_INIT flag; it is parallel over queries (OpenMP, unless called
// inside a parallel region) with exceptions carried out (OmpExceptionCarrier). range_search is FAISS's
// (not overridden): it reads assembled codes and scores them with the scalar estimator through the
// scanner's scan_codes_range (which honours the selector) — correct, slower than search.
// The InvertedListScanner (get_InvertedListScanner) scores the codes it is given (scalar estimator; the
// L2 term computed from each code), so it is correct for any codes pointer FAISS passes.
//
// Ownership: owns the coarse quantizer (std::unique_ptr; FAISS's own_fields stays false), the codec, and
// (FAISS's own_invlists) the lists, deleted before the codec they use.
// sa_encode codes are FAISS's IVF standalone codes: coarse list number (coarse_code_size() bytes) then
// the codec code.
// Errors: as IndexCodecFlat; ipaq::InvalidArgument for bad arguments (k, list numbers out of range,
// selector with store_pairs); under METRIC_L2, search over lists whose L2 terms are missing (codes added
// behind the index's back, e.g. faiss::IndexIVF::add_sa_codes) → ipaq::StateError until sync_packed().
#pragma once

#include <faiss/IndexIVF.h>

#include <memory>
#include <vector>

#include "index/ivf_packed_lists.h"
#include "index/score_bounds.h"
#include "lib/codecs/codec.h"
#include "lib/scan/fastscan_8bit_layout.h"
#include "lib/scan/fastscan_layout.h"

namespace ipaq {

class IndexCodecIVF : public faiss::IndexIVF, public ScoreBoundProvider {
 public:
  // quantizer: an empty faiss index of dimension codec->dim() (IndexFlatL2 or IndexFlatIP).
  IndexCodecIVF(std::unique_ptr<faiss::Index> quantizer, size_t nlist, std::unique_ptr<Codec> codec,
                faiss::MetricType metric, bool fastscan = true);
  ~IndexCodecIVF() override;

  // n >= nlist rows under check_vectors while the coarse quantizer lacks its nlist centroids (k-means needs a point
  // per list; FAISS would throw its own exception), else InvalidArgument; then faiss::IndexIVF::train.
  void train(idx_t n, const float* x) override;
  void train_residual(idx_t n, const float* x) override;
  // faiss::IndexIVF::sa_encode with the rows under check_vectors (a row whose squared norm overflows float32
  // gets no usable coarse assignment); a row assigned to no list → InvalidArgument (encode_vectors).
  void sa_encode(idx_t n, const float* x, uint8_t* bytes) const override;
  // Sample queries (nq * d floats) for a workload-weighted codec objective (ASQ{b}w), given before
  // train(). The codec scores the query itself under both metrics (the L2 path keeps ||r||^2 + 2<c, r̂>
  // per entry), so the queries go to the codec unchanged. Throws InvalidArgument for a codec without a
  // weighted objective, nq < 1, null queries or non-finite values.
  void set_query_workload(idx_t nq, const float* queries);
  void add_with_ids(idx_t n, const float* x, const idx_t* xids) override;
  // FAISS's add_core (encode, append, direct map), appending list by list (append_codes) instead of entry by
  // entry; L2 terms computed from the new codes. A list number >= nlist → InvalidArgument before anything
  // is encoded or added; list numbers < 0 (FAISS's -1, not assigned) are skipped as FAISS skips them.
  void add_core(idx_t n, const float* x, const idx_t* xids, const idx_t* coarse_idx) override;
  // faiss::IndexIVF::add_sa_codes list by list: n standalone codes (sa_encode: list number then code,
  // n * sa_code_size() bytes), ids xids or ntotal, ntotal + 1, ...; L2 terms synced. A list number out of
  // range → InvalidArgument before anything is added; if an append throws, no list keeps any of the n.
  // (FAISS's add_sa_codes, not virtual, still works: entry by entry, then sync_packed() is needed.)
  // list_nos: null, or the codes' list numbers as the caller already read them (checked_list_number, e.g.
  // while copying the codes out of a store, when they are in cache) — saves a pass over the n codes; they
  // must be the numbers the codes start with (still range-checked).
  void add_codes(idx_t n, const uint8_t* codes, const idx_t* xids, const idx_t* list_nos = nullptr);
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  // See "Search" above. keys / coarse_dis: n * nprobe (nprobe = params->nprobe or this->nprobe, at most
  // nlist); key -1 = no list; coarse_dis is not used (the offsets are recomputed per list).
  void search_preassigned(idx_t n, const float* x, idx_t k, const idx_t* keys, const float* coarse_dis,
                          float* distances, idx_t* labels, bool store_pairs,
                          const faiss::SearchParametersIVF* params = nullptr,
                          faiss::IndexIVFStats* stats = nullptr) const override;
  void encode_vectors(idx_t n, const float* x, const idx_t* list_nos, uint8_t* codes,
                      bool include_listno = false) const override;
  void sa_decode(idx_t n, const uint8_t* bytes, float* x) const override;
  void reconstruct_from_offset(int64_t list_no, int64_t offset, float* recons) const override;
  faiss::InvertedListScanner* get_InvertedListScanner(bool store_pairs = false,
                                                      const faiss::IDSelector* sel = nullptr) const override;

  void reset() override;
  size_t remove_ids(const faiss::IDSelector& sel) override;
  // FAISS's update_vectors, with the Array direct map's entry moves done here (FAISS's DirectMap::update_codes
  // does not release the code it reads, which PackedInvertedLists allocates); L2 terms synced after. Every
  // id is checked first (in range and in a list), else InvalidArgument with nothing changed.
  void update_vectors(int nv, const idx_t* idx, const float* v) override;
  // FAISS's merge_from (other's lists appended list by list, other emptied), then both indexes' L2 terms
  // synced; without FAISS's OpenMP loop (an exception there terminates): all or nothing, if an append
  // throws every list is cut back, the other index is left as it was, and the exception reaches the caller.
  void merge_from(faiss::Index& other, idx_t add_id) override;
  // Run by merge_from: other must be an IndexCodecIVF whose codec has the same trained state
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
  // The packed lists when fast scan is on (null when off, or after the caller replaced the invlists).
  const PackedInvertedLists* packed_lists() const { return dynamic_cast<const PackedInvertedLists*>(invlists); }
  bool uses_fastscan() const { return packed_lists() != nullptr; }
  // METRIC_L2: computes the per-entry L2 terms of entries that have none or whose code changed (all of
  // them when `full`). Called by the add, remove, update and merge paths; public for codes added behind the
  // index's back (faiss::IndexIVF::add_sa_codes, copy_subset_to into this index) and the index reader.
  // With fast scan off, codes overwritten behind the index's back are not detected: call sync_packed(true).
  // No-op under METRIC_INNER_PRODUCT. (The name predates the packed lists, which pack on every write.)
  void sync_packed(bool full = false);
  // METRIC_L2: the terms ||r_i||^2 + 2 <c, r̂_i> of a list, in list order, and how many (= list size
  // after sync_packed). Null / 0 under METRIC_INNER_PRODUCT.
  const float* l2_terms(size_t list_no, size_t* count) const;
  // Fast-scan layouts of the packed lists (null when fast scan is off); one of the two at most.
  const FastScanLayout* fastscan_layout() const;
  const FastScan8Layout* fastscan8_layout() const;
  // A list's packed sub-codes and how many entries they hold (= list_size); null / 0 without fast scan.
  const uint8_t* packed_list(size_t list_no, size_t* count) const;
  // The side bytes (Codec::lut_side_size() per entry) of a list, contiguous, in list order; null when fast
  // scan is off.
  const uint8_t* side_list(size_t list_no) const;
  // Bytes held per stored vector by the lists and the L2 terms (array sizes, not capacities): ids + codes
  // (fast scan off) or ids + packed sub-codes + side bytes (on), + 4 under METRIC_L2; 0 when empty.
  double storage_bytes_per_vector() const;
  // Releases the lists' growth slack (after a bulk load made of many appends).
  void shrink_to_fit();
  // Bytes allocated beyond the sizes by the packed lists' three arrays and the L2 terms (growth slack;
  // 0 after one append of every entry into empty lists of >= 16 entries each, e.g. a durable reopen, or
  // after shrink_to_fit). 0 without packed lists (FAISS's lists: not tracked).
  size_t unused_capacity_bytes() const;

 private:
  std::unique_ptr<faiss::Index> quantizer_owner_;
  std::unique_ptr<Codec> codec_;
  std::vector<std::vector<float>> l2_terms_;  // L2 only: per list, ||r_i||^2 + 2 <c, r̂_i>

  void check_l2_terms_synced() const;
  // out[i - begin] = the L2 term of entry i of `list`, for i in [begin, end) (the centroid prepared once):
  // the one computation behind add, add_sa_codes, sync_packed and reopen (see the header comment).
  void write_l2_terms(size_t list, size_t begin, size_t end, float* out) const;
  // Appends n codes (row i at codes + i * stride) to lists list_nos[i] (-1: not added, as FAISS) with ids
  // xids[i] or ntotal + i: grouped by list, one add_entries per list (lists in parallel), the L2 terms of
  // lists in sync computed from the codes; all or nothing; then the direct map and ntotal.
  void append_codes(idx_t n, const uint8_t* codes, size_t stride, const idx_t* list_nos, const idx_t* xids);
  // search_preassigned after its checks (search() makes them once per call).
  void scan_preassigned(idx_t n, const float* x, idx_t k, size_t nprobe, const idx_t* keys, float* distances,
                        idx_t* labels, bool store_pairs, const faiss::SearchParametersIVF* params,
                        faiss::IndexIVFStats* stats) const;
};

}  // namespace ipaq
