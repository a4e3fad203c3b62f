#include "index/index_codec_ivf.h"

#include <faiss/IndexFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/invlists/DirectMap.h>
#include <faiss/utils/Heap.h>
#include <faiss/utils/distances.h>
#include <faiss/utils/utils.h>
#include <omp.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "index/code_scorer.h"
#include "index/index_checks.h"
#include "index/index_codec_flat.h"
#include "lib/scan/lut_sums.h"
#include "index/parallel_runs.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/core/omp_exceptions.h"

namespace ipaq {

namespace {

constexpr const char* kType = "IndexCodecIVF";
constexpr size_t kRun = 1024;  // codes scored per call to the scorer

const Codec& checked_codec(const std::unique_ptr<Codec>& codec) {
  IPAQ_CHECK_ARG(codec != nullptr, kType, ": null codec");
  return *codec;
}

faiss::Index* checked_quantizer(const std::unique_ptr<faiss::Index>& quantizer, const Codec& codec) {
  IPAQ_CHECK_ARG(quantizer != nullptr, kType, ": null coarse quantizer");
  IPAQ_CHECK_ARG(static_cast<size_t>(quantizer->d) == codec.dim(), kType, ": coarse quantizer dimension ",
                 quantizer->d, " != codec dimension ", codec.dim());
  return quantizer.get();
}

// Resizes a list's L2 terms to `size`, growing the capacity by at least 1/8 as the packed lists do
// (ivf_packed_lists.h) rather than std::vector's doubling: at most ~12.5 % slack.
void grow_terms(std::vector<float>& terms, size_t size) {
  if (size > terms.capacity()) terms.reserve(std::max(size, terms.capacity() + terms.capacity() / 8));
  terms.resize(size);
}

// The L2 terms ||r_i||^2 + 2 est<c, r_i> of entries of one list, the centroid c prepared as a query: the
// ONE computation behind add, sync_packed (reopen, FAISS's paths) and update, so that searches after each
// agree exactly. Codecs with a LUT form: the centroid's FLOAT LUT (no 8-bit quantization) summed over each
// entry's sub-codes, in sub-code order per group, then finish_lut_sums with the side bytes — the estimate
// estimate_ip() gives, up to float rounding of the two sums (each of lut_nsub() terms: within
// (lut_nsub() - 1) * eps * sum |LUT terms| of the exact sum, times the finish's factor; ivf_l2_terms_test).
// Other codecs: the scalar estimate_ip over the codes.
class L2TermWriter {
 public:
  L2TermWriter(const Codec& codec, const float* centroid)
      : codec_(codec), state_(codec.prepare_query(centroid)), group_begin_(codec.lut_group_begin()) {
    lut_form_ = codec.lut_bits() > 0 && !state_->lut.empty();
  }
  // m row-major codes (m * code_size bytes) -> out: m terms.
  void from_codes(size_t m, const uint8_t* codes, float* out) {
    if (!lut_form_) {
      codec_.estimate_ip(*state_, m, codes, out);
      for (size_t i = 0; i < m; ++i) out[i] = codec_.stored_norm_sq(codes + i * codec_.code_size()) + 2.0f * out[i];
      return;
    }
    sub_.resize(m * codec_.lut_nsub());
    codec_.extract_sub_codes(m, codes, sub_.data());
    // from_sub indexes a (1 << lut_bits)-float LUT row by each sub-code: refuse one out of range (a damaged
    // code) before it reads past the row. (Packed lists check them when they pack.)
    if (codec_.lut_bits() < 8) {
      uint8_t any = 0;
      for (const uint8_t s : sub_) any |= s;
      IPAQ_CHECK_ARG(any >> codec_.lut_bits() == 0, "IVF L2 terms: a code holds a sub-code >= ",
                     1 << codec_.lut_bits(), " (damaged code)");
    }
    from_sub(m, sub_.data(), codes + codec_.lut_side_offset(), codec_.code_size(), out);
  }
  // m entries as sub-codes (m * lut_nsub() bytes) + side rows (row i at side + i * side_stride); LUT form only.
  void from_sub(size_t m, const uint8_t* sub, const uint8_t* side, size_t side_stride, float* out) {
    const size_t nsub = codec_.lut_nsub(), groups = group_begin_.size() - 1;
    const size_t width = size_t{1} << codec_.lut_bits();
    sums_.resize(m * groups);
    lut_sums(m, nsub, width, sub, state_->lut.data(), group_begin_.data(), groups, sums_.data());
    finish(m, side, side_stride, out);
  }
  // Entries [first, first + m) of a 4-bit packed array (its layout's groups are the codec's) + their side
  // rows (row i at side + i * side_stride): the same bits as from_sub on their sub-codes (lut_sums_packed4).
  void from_packed4(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m, const uint8_t* side,
                    size_t side_stride, float* out) {
    sums_.resize(m * (group_begin_.size() - 1));
    lut_sums_packed4(layout, packed, first, m, state_->lut.data(), sums_.data());
    finish(m, side, side_stride, out);
  }
  bool lut_form() const { return lut_form_; }

 private:
  // out[i] = ||r_i||^2 + 2 est<c, r_i> from the LUT sums in sums_ and the side rows.
  void finish(size_t m, const uint8_t* side, size_t side_stride, float* out) {
    codec_.finish_lut_sums(*state_, m, side, side_stride, sums_.data(), out);
    norms_.resize(m);
    codec_.side_norms_sq(m, side, side_stride, norms_.data());
    for (size_t i = 0; i < m; ++i) out[i] = norms_[i] + 2.0f * out[i];
  }

  const Codec& codec_;
  std::unique_ptr<QueryState> state_;
  std::vector<size_t> group_begin_;
  bool lut_form_ = false;
  std::vector<uint8_t> sub_;
  std::vector<float> sums_, norms_;
};

// The centroids of a flat coarse quantizer, read in place (null for other quantizers).
const float* flat_centroids(const faiss::Index& quantizer) {
  const auto* flat = dynamic_cast<const faiss::IndexFlat*>(&quantizer);
  return flat != nullptr && flat->code_size == sizeof(float) * static_cast<size_t>(flat->d) ? flat->get_xb() : nullptr;
}

// Per-thread scanner: one query, one list at a time. Distances are the index's (see the header).
// scan_list() is the search path (IndexCodecIVF::search_preassigned): it reads the current list from the
// index's own arrays — packed sub-codes + side bytes + L2 terms, or the list's codes without packed lists.
// FAISS's interface (scan_codes, scan_codes_range, distance_to_code) scores the codes it is given with the
// scalar estimator, the L2 term of each computed from the code itself (the centroid prepared as a query,
// as sync_packed() does), so it holds for any codes pointer FAISS passes (assembled codes, sub-ranges).
class CodecIVFScanner : public faiss::InvertedListScanner {
 public:
  CodecIVFScanner(const IndexCodecIVF& index, bool store_pairs, const faiss::IDSelector* sel)
      : faiss::InvertedListScanner(store_pairs, sel),
        index_(index),
        lists_(index.packed_lists()),
        scorer_(index.codec(), index.metric_type, index.fastscan_layout(), index.fastscan8_layout()),
        centroids_(flat_centroids(*index.quantizer)),
        centroid_(index.d),
        dist_(kRun) {
    keep_max = index.metric_type == faiss::METRIC_INNER_PRODUCT;
    code_size = index.code_size;
  }

  void set_query(const float* query) override {
    query_ = query;
    // Both metrics: the codec sees q itself, prepared once per query (the estimate is linear in the
    // query, so est<q - c, r> = est<q, r> - <c, r̂> and the list's centroid enters through the offset
    // and the stored per-entry term, see the header).
    scorer_.set_query(query, 0.0f);
  }

  void set_list(idx_t list, float /*coarse_dis*/) override {
    list_no = list;
    centroid_terms_.reset();
    const float* centroid = centroids_;
    if (centroid != nullptr) {
      centroid += static_cast<size_t>(list) * static_cast<size_t>(index_.d);
    } else {
      index_.quantizer->reconstruct(list, centroid_.data());
      centroid = centroid_.data();
    }
    centroid_ptr_ = centroid;
    const size_t d = static_cast<size_t>(index_.d);
    // The offset is recomputed rather than taken from coarse_dis: callers of search_preassigned may
    // pass any coarse distances (FAISS's SIMD kernels: well under a microsecond per list).
    float offset;
    if (keep_max) {
      offset = faiss::fvec_inner_product(query_, centroid, d);
    } else {
      offset = faiss::fvec_L2sqr(query_, centroid, d);
      size_t count = 0;
      l2_terms_ = index_.l2_terms(static_cast<size_t>(list), &count);
    }
    scorer_.set_offset(offset);
  }

  float distance_to_code(const uint8_t* code) const override {
    float dist;
    score_codes(1, code, &dist);
    return dist;
  }

  size_t scan_codes(size_t n, const uint8_t* codes, const idx_t* ids, float* distances, idx_t* labels,
                    size_t k) const override {
    return keep_max ? scan_given<faiss::CMin<float, idx_t>>(n, codes, ids, distances, labels, k)
                    : scan_given<faiss::CMax<float, idx_t>>(n, codes, ids, distances, labels, k);
  }

  void scan_codes_range(size_t n, const uint8_t* codes, const idx_t* ids, float radius,
                        faiss::RangeQueryResult& result) const override {
    for (size_t b = 0; b < n; b += kRun) {
      const size_t m = std::min(kRun, n - b);
      score_codes(m, codes + b * code_size, dist_.data());
      for (size_t i = 0; i < m; ++i) {
        if (keep_max ? !(dist_[i] > radius) : !(dist_[i] < radius)) continue;
        if (sel && !sel->is_member(ids[b + i])) continue;
        result.add(dist_[i], store_pairs ? faiss::lo_build(list_no, b + i) : ids[b + i]);
      }
    }
  }

  // The whole current list (n entries, ids: its ids, null with store_pairs) into the heap; returns the
  // heap updates.
  template <class C>
  size_t scan_list(size_t n, const idx_t* ids, float* distances, idx_t* labels, size_t k) {
    size_t updates = 0;
    const size_t list = static_cast<size_t>(list_no);
    if (lists_ != nullptr) {
      const uint8_t* packed = lists_->packed(list);
      const uint8_t* side = lists_->side(list);
      const size_t side_size = lists_->side_size();
      for (size_t b = 0; b < n; b += kRun) {
        const size_t m = std::min(kRun, n - b);
        // kRun is a multiple of the 32- and 64-vector blocks, so run b starts at block b / block size.
        const float* terms = keep_max ? nullptr : l2_terms_ + b;
        if (lists_->layout4() != nullptr) {
          scorer_.distances_fastscan(m, packed + (b / FastScanLayout::kBlockSize) * lists_->layout4()->block_bytes(),
                                     side + b * side_size, side_size, dist_.data(), terms);
        } else {
          scorer_.distances_fastscan8(m, packed + (b / FastScan8Layout::kBlockSize) * lists_->layout8()->block_bytes(),
                                      side + b * side_size, side_size, dist_.data(), terms);
        }
        updates += push<C>(b, m, ids, distances, labels, k);
      }
      return updates;
    }
    faiss::InvertedLists::ScopedCodes codes(index_.invlists, list);
    for (size_t b = 0; b < n; b += kRun) {
      const size_t m = std::min(kRun, n - b);
      scorer_.distances(m, codes.get() + b * code_size, dist_.data(), keep_max ? nullptr : l2_terms_ + b);
      updates += push<C>(b, m, ids, distances, labels, k);
    }
    return updates;
  }

 private:
  // Distances of m given codes of the current list (scalar estimator; L2: each code's own term).
  void score_codes(size_t m, const uint8_t* codes, float* out) const {
    if (keep_max) {
      scorer_.distances(m, codes, out);
      return;
    }
    // The terms as the index stores them (same function, same bits).
    if (!centroid_terms_) centroid_terms_ = std::make_unique<L2TermWriter>(index_.codec(), centroid_ptr_);
    terms_.resize(m);
    centroid_terms_->from_codes(m, codes, terms_.data());
    scorer_.distances(m, codes, out, terms_.data());
  }

  template <class C>
  size_t scan_given(size_t n, const uint8_t* codes, const idx_t* ids, float* distances, idx_t* labels,
                    size_t k) const {
    size_t updates = 0;
    for (size_t b = 0; b < n; b += kRun) {
      const size_t m = std::min(kRun, n - b);
      score_codes(m, codes + b * code_size, dist_.data());
      updates += push<C>(b, m, ids, distances, labels, k);
    }
    return updates;
  }

  // Pushes dist_[0, m), the entries [b, b + m) of the current list, into the heap.
  template <class C>
  size_t push(size_t b, size_t m, const idx_t* ids, float* distances, idx_t* labels, size_t k) const {
    // The selector is asked about the stored ids. Our own scan passes no ids under store_pairs, and
    // search_preassigned refuses a selector with store_pairs; FAISS's callers of get_InvertedListScanner
    // pass the list's ids in either mode.
    if (sel) {
      for (size_t i = 0; i < m; ++i) {
        if (!sel->is_member(ids[b + i])) dist_[i] = C::neutral();
      }
    }
    if (store_pairs) {
      // lo_build(list, offset) = list << 32 | offset: the run's pair ids are consecutive from its first.
      const idx_t first = static_cast<idx_t>(faiss::lo_build(list_no, b));
      return CodeScorer::push_to_heap<C>(m, dist_.data(), nullptr, first, nullptr, k, distances, labels);
    }
    // Without a selector a query's first list is screened before its pushes (push_run); with one, the
    // rejected entries are neutral distances and the plain push is kept.
    return sel ? CodeScorer::push_to_heap<C>(m, dist_.data(), ids + b, 0, nullptr, k, distances, labels)
               : CodeScorer::push_run<C>(m, dist_.data(), ids + b, 0, k, distances, labels);
  }

  const IndexCodecIVF& index_;
  const PackedInvertedLists* lists_;  // null: score the lists' codes
  // FAISS's scan_codes is const but the scanner is per thread: scratch state is mutable.
  mutable CodeScorer scorer_;
  const float* query_ = nullptr;
  const float* l2_terms_ = nullptr;  // L2: the current list's ||r_i||^2 + 2 <c, r̂_i>
  const float* centroids_;           // the flat coarse quantizer's centroids (null: reconstruct)
  const float* centroid_ptr_ = nullptr;  // the current list's centroid
  std::vector<float> centroid_;
  mutable std::unique_ptr<L2TermWriter> centroid_terms_;  // L2, given codes: the centroid's term writer
  mutable std::vector<float> terms_;
  mutable std::vector<float> dist_;
};

}  // namespace

IndexCodecIVF::IndexCodecIVF(std::unique_ptr<faiss::Index> quantizer, size_t nlist, std::unique_ptr<Codec> codec,
                             faiss::MetricType metric, bool fastscan)
    : faiss::IndexIVF(checked_quantizer(quantizer, checked_codec(codec)), checked_codec(codec).dim(), nlist,
                      codec->code_size(), metric),
      quantizer_owner_(std::move(quantizer)),
      codec_(std::move(codec)) {
  IPAQ_CHECK_ARG(metric == faiss::METRIC_L2 || metric == faiss::METRIC_INNER_PRODUCT, kType,
                 ": metric must be L2 or INNER_PRODUCT, got ", static_cast<int>(metric));
  IPAQ_CHECK_ARG(nlist >= 1, kType, ": nlist must be >= 1");
  own_fields = false;  // quantizer_owner_ deletes the quantizer
  is_trained = is_trained && codec_->is_trained();
  if (fastscan && (codec_has_4bit_lut(*codec_) || (codec_->lut_bits() == 8 && codec_->lut_nsub() > 0))) {
    replace_invlists(new PackedInvertedLists(nlist, *codec_), true);
  }
  if (metric_type == faiss::METRIC_L2) l2_terms_.resize(nlist);
}

IndexCodecIVF::~IndexCodecIVF() {
  // The packed lists use codec_: delete them before it (FAISS's destructor would, after it).
  if (own_invlists) delete invlists;
  invlists = nullptr;
  own_invlists = false;
}

const FastScanLayout* IndexCodecIVF::fastscan_layout() const {
  const PackedInvertedLists* lists = packed_lists();
  return lists != nullptr ? lists->layout4() : nullptr;
}

const FastScan8Layout* IndexCodecIVF::fastscan8_layout() const {
  const PackedInvertedLists* lists = packed_lists();
  return lists != nullptr ? lists->layout8() : nullptr;
}

void IndexCodecIVF::sync_packed(bool full) {
  if (metric_type != faiss::METRIC_L2) return;
  PackedInvertedLists* packed = const_cast<PackedInvertedLists*>(packed_lists());
  // ||r||^2 + 2 <c, r̂>: the stored norm plus 2 est<c, r> with the scalar reference estimator (the estimate
  // of a prepared vector is its inner product with the decoded code), the centroid prepared once per list.
  // Terms stay valid up to the first entry that changed (packed lists track it; FAISS's arrays: only
  // appends and cuts are seen).
  std::vector<size_t> todo;
  for (size_t list = 0; list < nlist; ++list) {
    const size_t size = invlists->list_size(list);
    size_t valid = full ? 0 : std::min(l2_terms_[list].size(), size);
    if (packed != nullptr) valid = std::min(valid, packed->first_changed(list));
    if (valid < l2_terms_[list].size()) l2_terms_[list].resize(valid);
    if (valid < size) todo.push_back(list);
    else if (packed != nullptr) packed->clear_changes(list);
  }
  if (todo.empty()) return;
  // Lists are independent: parallel over them (the codec's const methods are thread-safe).
  for_each_run(todo.size(), 1, [&](size_t t, size_t /*one*/) {
    const size_t list = todo[t];
    std::vector<float>& terms = l2_terms_[list];
    const size_t size = invlists->list_size(list), first = terms.size();
    terms.reserve(size);  // the list's final count is known here
    grow_terms(terms, size);
    try {
      write_l2_terms(list, first, size, terms.data() + first);
    } catch (...) {
      terms.resize(first);  // no unwritten terms stay behind as valid: the next sync writes them
      throw;
    }
    if (packed != nullptr) packed->clear_changes(list);
  });
}

void IndexCodecIVF::write_l2_terms(size_t list, size_t begin, size_t end, float* out) const {
  std::vector<float> centroid(static_cast<size_t>(d));
  quantizer->reconstruct(static_cast<idx_t>(list), centroid.data());
  L2TermWriter writer(*codec_, centroid.data());
  const PackedInvertedLists* packed = packed_lists();
  // Packed lists with a LUT form: from their sub-codes and side bytes as they are (4-bit: the packed-form
  // LUT sums; 8-bit: unpacked a run at a time); other packed lists through assembled codes; without packed
  // lists, the list's codes.
  const bool lut = packed != nullptr && writer.lut_form();
  std::unique_ptr<faiss::InvertedLists::ScopedCodes> list_codes;
  if (packed == nullptr) list_codes = std::make_unique<faiss::InvertedLists::ScopedCodes>(invlists, list);
  const bool needs_run = packed != nullptr && !(lut && packed->layout4() != nullptr);  // unpacked or assembled
  std::vector<uint8_t> run(needs_run ? std::min(kRun, end - begin) * std::max(code_size, codec_->lut_nsub()) : 0);
  for (size_t first = begin; first < end;) {
    const size_t m = std::min(kRun, end - first);
    float* terms = out + (first - begin);
    if (lut) {
      const uint8_t* side = packed->side(list) + first * packed->side_size();
      if (packed->layout4() != nullptr) {
        writer.from_packed4(*packed->layout4(), packed->packed(list), first, m, side, packed->side_size(), terms);
      } else {
        unpack_8bit_codes_at(*packed->layout8(), first, m, packed->packed(list), run.data());
        writer.from_sub(m, run.data(), side, packed->side_size(), terms);
      }
    } else {
      const uint8_t* codes = list_codes ? list_codes->get() + first * code_size : run.data();
      if (packed != nullptr) packed->read_codes(list, first, m, run.data());
      writer.from_codes(m, codes, terms);
    }
    first += m;
  }
}

const float* IndexCodecIVF::l2_terms(size_t list_no, size_t* count) const {
  if (list_no >= l2_terms_.size()) {
    *count = 0;
    return nullptr;
  }
  *count = l2_terms_[list_no].size();
  return l2_terms_[list_no].data();
}

const uint8_t* IndexCodecIVF::packed_list(size_t list_no, size_t* count) const {
  const PackedInvertedLists* lists = packed_lists();
  if (lists == nullptr || list_no >= nlist) {
    *count = 0;
    return nullptr;
  }
  *count = lists->list_size(list_no);
  return lists->packed(list_no);
}

const uint8_t* IndexCodecIVF::side_list(size_t list_no) const {
  const PackedInvertedLists* lists = packed_lists();
  return lists != nullptr && list_no < nlist ? lists->side(list_no) : nullptr;
}

double IndexCodecIVF::storage_bytes_per_vector() const {
  if (ntotal == 0) return 0.0;
  size_t bytes = 0;
  if (const PackedInvertedLists* lists = packed_lists()) {
    const PackedInvertedLists::Bytes b = lists->bytes();
    bytes = b.ids + b.packed + b.side;
  } else {
    for (size_t list = 0; list < nlist; ++list) bytes += invlists->list_size(list) * (sizeof(idx_t) + code_size);
  }
  for (const auto& terms : l2_terms_) bytes += terms.size() * sizeof(float);
  return static_cast<double>(bytes) / static_cast<double>(ntotal);
}

size_t IndexCodecIVF::unused_capacity_bytes() const {
  const PackedInvertedLists* lists = packed_lists();
  if (lists == nullptr) return 0;
  const PackedInvertedLists::Bytes size = lists->bytes(), capacity = lists->capacities();
  size_t bytes = (capacity.ids - size.ids) + (capacity.packed - size.packed) + (capacity.side - size.side);
  for (const auto& terms : l2_terms_) bytes += (terms.capacity() - terms.size()) * sizeof(float);
  return bytes;
}

void IndexCodecIVF::shrink_to_fit() {
  if (auto* lists = const_cast<PackedInvertedLists*>(packed_lists())) lists->shrink_to_fit();
  for (auto& terms : l2_terms_) terms.shrink_to_fit();
}

void IndexCodecIVF::reset() {
  faiss::IndexIVF::reset();
  for (auto& t : l2_terms_) std::vector<float>().swap(t);
  if (auto* packed = const_cast<PackedInvertedLists*>(packed_lists())) {
    for (size_t list = 0; list < nlist; ++list) packed->clear_changes(list);  // nothing left to be stale
  }
}

void IndexCodecIVF::check_compatible_for_merge(const faiss::Index& other_index) const {
  const auto* other = dynamic_cast<const IndexCodecIVF*>(&other_index);
  IPAQ_CHECK_ARG(other != nullptr && other != this, kType, ": merge_from needs another IndexCodecIVF");
  IPAQ_CHECK_ARG(metric_type == other->metric_type && same_codec_state(*codec_, *other->codec_), kType,
                 ": merge_from needs an index with the same metric and a ", codec_->descriptor(),
                 " codec of the same trained state (codes of a codec trained on other data or with another "
                 "seed would decode wrongly)");
  faiss::IndexIVF::check_compatible_for_merge(other_index);
}

void IndexCodecIVF::merge_from(faiss::Index& other_index, idx_t add_id) {
  // FAISS's InvertedLists::merge_from, list by list, without its OpenMP loop that lets add_entries'
  // exceptions terminate the process: all or nothing (on failure every list is cut back to its old size,
  // the other index is left as it was); the other index is emptied only on success.
  check_compatible_for_merge(other_index);
  auto& other = static_cast<IndexCodecIVF&>(other_index);
  std::vector<size_t> old_size(nlist);
  for (size_t list = 0; list < nlist; ++list) old_size[list] = invlists->list_size(list);
  try {
    for_each_run(nlist, 1, [&](size_t list, size_t /*one*/) {
      const size_t count = other.invlists->list_size(list);
      if (count == 0) return;
      faiss::InvertedLists::ScopedIds ids(other.invlists, list);
      faiss::InvertedLists::ScopedCodes codes(other.invlists, list);
      std::vector<idx_t> new_ids(ids.get(), ids.get() + count);
      for (idx_t& id : new_ids) id += add_id;
      invlists->add_entries(list, count, new_ids.data(), codes.get());
    });
  } catch (...) {
    for (size_t list = 0; list < nlist; ++list) {
      if (invlists->list_size(list) > old_size[list]) invlists->resize(list, old_size[list]);
    }
    sync_packed();  // clears the cuts' change marks (the terms never went past the old sizes)
    throw;
  }
  for (size_t list = 0; list < nlist; ++list) other.invlists->resize(list, 0);
  ntotal += other.ntotal;
  other.ntotal = 0;
  sync_packed();
  other.sync_packed();  // its lists are now empty
}

size_t IndexCodecIVF::remove_ids(const faiss::IDSelector& sel) {
  // FAISS moves each list's last entries into the holes (update_entry) and cuts the lists (resize): the
  // packed lists follow entry by entry; the L2 terms of moved entries are recomputed.
  const size_t removed = faiss::IndexIVF::remove_ids(sel);
  sync_packed(!uses_fastscan());
  return removed;
}

void IndexCodecIVF::update_vectors(int nv, const idx_t* idx, const float* v) {
  if (direct_map.type != faiss::DirectMap::Array) {
    faiss::IndexIVF::update_vectors(nv, idx, v);  // Hashtable: remove_ids + add_with_ids; NoMap: FAISS throws
    sync_packed();
    return;
  }
  IPAQ_CHECK_ARG(nv >= 0 && (nv == 0 || (idx != nullptr && v != nullptr)), kType,
                 ": update_vectors needs nv >= 0 and non-null arrays");
  check_add_args(*this, kType, nv, v);
  // Every id checked before any vector moves (a bad one later in the batch would leave a partial update).
  std::vector<idx_t>& map = direct_map.array;
  for (int i = 0; i < nv; ++i) {
    const idx_t id = idx[i];
    IPAQ_CHECK_ARG(id >= 0 && static_cast<size_t>(id) < map.size() && map[static_cast<size_t>(id)] >= 0, kType,
                   ": update_vectors id ", id, " is not in the index (ids [0, ", map.size(), "))");
  }
  std::vector<idx_t> assign(static_cast<size_t>(nv));
  quantizer->assign(nv, v, assign.data());
  std::vector<uint8_t> codes(checked_mul(static_cast<size_t>(nv), code_size, "codes"));
  encode_vectors(nv, v, assign.data(), codes.data());
  // FAISS's DirectMap::update_codes, with the moved code released: per vector, the list's last entry
  // fills the old slot, then the new code is appended to its new list. Should a list operation throw (ids
  // are checked above; only an allocation can), the vectors before are updated, the one being moved is in
  // no list (direct map: list -1), and the L2 terms are synced with the lists before the exception leaves.
  try {
    for (int i = 0; i < nv; ++i) {
      const idx_t id = idx[i];
      const int64_t old_list = faiss::lo_listno(map[id]), offset = faiss::lo_offset(map[id]);
      const size_t last = invlists->list_size(static_cast<size_t>(old_list)) - 1;
      if (static_cast<size_t>(offset) != last) {
        const idx_t moved = invlists->get_single_id(static_cast<size_t>(old_list), last);
        map[moved] = faiss::lo_build(old_list, offset);
        faiss::InvertedLists::ScopedCodes code(invlists, static_cast<size_t>(old_list), last);
        invlists->update_entry(static_cast<size_t>(old_list), static_cast<size_t>(offset), moved, code.get());
      }
      invlists->resize(static_cast<size_t>(old_list), last);
      const size_t list = static_cast<size_t>(assign[i]), at = invlists->list_size(list);
      map[id] = faiss::lo_build(-1, 0);  // in no list until the append succeeds (FAISS's "not added")
      invlists->add_entry(list, id, codes.data() + static_cast<size_t>(i) * code_size);
      map[id] = faiss::lo_build(static_cast<int64_t>(list), at);
    }
  } catch (...) {
    sync_packed(!uses_fastscan());
    throw;
  }
  sync_packed(!uses_fastscan());
}



void IndexCodecIVF::set_query_workload(idx_t nq, const float* queries) {
  IPAQ_CHECK_ARG(nq >= 1 && queries != nullptr, kType, ": the query workload needs at least one query, got nq = ", nq);
  codec_->set_query_workload(static_cast<size_t>(nq), static_cast<size_t>(d), queries);
}

void IndexCodecIVF::train(idx_t n, const float* x) {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || x != nullptr), kType, ": train needs n >= 0 and non-null vectors");
  IPAQ_CHECK_ARG(coarse_quantizer_trained(*this) || static_cast<size_t>(n) >= nlist, kType, ": training needs at least nlist = ",
                 nlist, " vectors (one per coarse list), got ", n);
  check_vectors(x, static_cast<size_t>(n), static_cast<size_t>(d), "IndexCodecIVF::train: vectors");
  faiss::IndexIVF::train(n, x);
}

void IndexCodecIVF::sa_encode(idx_t n, const float* x, uint8_t* bytes) const {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || (x != nullptr && bytes != nullptr)), kType,
                 ": sa_encode needs n >= 0 and non-null arrays");
  check_vectors(x, static_cast<size_t>(n), static_cast<size_t>(d), "IndexCodecIVF::sa_encode: vectors");
  faiss::IndexIVF::sa_encode(n, x, bytes);
}

void IndexCodecIVF::train_residual(idx_t n, const float* x) {
  if (codec_->is_trained()) return;
  const size_t dd = static_cast<size_t>(d);
  std::vector<idx_t> assign(static_cast<size_t>(n));
  quantizer->assign(n, x, assign.data());
  std::vector<float> residuals(checked_mul(static_cast<size_t>(n), dd, "training residuals"));
  quantizer->compute_residual_n(n, x, residuals.data(), assign.data());
  codec_->train(static_cast<size_t>(n), residuals.data());
}

void IndexCodecIVF::add_with_ids(idx_t n, const float* x, const idx_t* xids) {
  check_add_args(*this, kType, n, x);
  faiss::IndexIVF::add_with_ids(n, x, xids);  // assigns, then add_core
  sync_packed();
}

// Copies rows[0..count) of `codes` (row r at r * stride, `size` bytes each) to `out`, one after another.
// The rows are scattered over a buffer larger than the caches (a reopen's codes in id order, gathered list
// by list): each row's cache lines are prefetched 24 rows ahead, so the misses overlap (a reopen loop of the
// Fashion-MNIST store: 8 rows ahead -> 24 saved ~3.5 % of its CPU, 48 nothing more; bench/RESULTS.md).
static void gather_rows(const uint8_t* codes, size_t stride, size_t size, const size_t* rows, size_t count,
                        uint8_t* out) {
  constexpr size_t kAhead = 24, kLine = 64;
  for (size_t j = 0; j < count; ++j) {
    if (j + kAhead < count) {
      const uint8_t* ahead = codes + rows[j + kAhead] * stride;
      for (size_t b = 0; b < size; b += kLine) __builtin_prefetch(ahead + b);
      __builtin_prefetch(ahead + size - 1);
    }
    std::copy_n(codes + rows[j] * stride, size, out + j * size);
  }
}

// List numbers must be < nlist (FAISS's add_core passes them unchecked); < 0 means not assigned, skipped.
static void check_list_numbers(faiss::Index::idx_t n, const faiss::Index::idx_t* list_nos, size_t nlist) {
  for (faiss::Index::idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(list_nos[i] < 0 || static_cast<size_t>(list_nos[i]) < nlist, kType, ": vector ", i,
                   " has list number ", list_nos[i], ", out of range [0, ", nlist, ")");
  }
}

void IndexCodecIVF::add_core(idx_t n, const float* x, const idx_t* xids, const idx_t* coarse_idx) {
  IPAQ_CHECK(is_trained, StateError, kType, ": index is not trained");
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || (x != nullptr && coarse_idx != nullptr)), kType,
                 ": add_core needs n >= 0, vectors and their lists");
  check_list_numbers(n, coarse_idx, nlist);  // before encoding: the residual reads the list's centroid
  // Blocks bound the codes buffer, as FAISS's add_core does.
  constexpr idx_t kBlock = 65536;
  std::vector<uint8_t> codes(checked_mul(static_cast<size_t>(std::min(n, kBlock)), code_size, "codes"));
  for (idx_t i0 = 0; i0 < n; i0 += kBlock) {
    const idx_t m = std::min(kBlock, n - i0);
    encode_vectors(m, x + i0 * d, coarse_idx + i0, codes.data());
    append_codes(m, codes.data(), code_size, coarse_idx + i0, xids ? xids + i0 : nullptr);
  }
}

void IndexCodecIVF::add_codes(idx_t n, const uint8_t* codes, const idx_t* xids, const idx_t* list_nos) {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || codes != nullptr), kType, ": add_codes needs n >= 0 and codes");
  IPAQ_CHECK(is_trained, StateError, kType, ": index is not trained");
  const size_t stride = coarse_code_size() + code_size;
  std::vector<idx_t> lists;
  if (list_nos == nullptr) {
    lists.resize(static_cast<size_t>(n));
    for (idx_t i = 0; i < n; ++i) lists[i] = checked_list_number(*this, codes + static_cast<size_t>(i) * stride, kType);
    list_nos = lists.data();
  }
  append_codes(n, codes + coarse_code_size(), stride, list_nos, xids);  // range-checks list_nos
  sync_packed();  // L2 terms of lists that were not in sync before (codes added behind the index's back)
}

void IndexCodecIVF::append_codes(idx_t n, const uint8_t* codes, size_t stride, const idx_t* list_nos,
                                 const idx_t* xids) {
  direct_map.check_can_add(xids);
  check_list_numbers(n, list_nos, nlist);  // all before anything is added: begin[] below is indexed by them
  // Entries grouped by list (a stable counting sort), so that each list is appended to once: its packed
  // blocks are written a run of entries at a time, not entry by entry as FAISS's add_entry calls would.
  std::vector<size_t> begin(nlist + 1, 0), order(static_cast<size_t>(n)), old_size(nlist);
  for (idx_t i = 0; i < n; ++i) {
    if (list_nos[i] >= 0) ++begin[static_cast<size_t>(list_nos[i]) + 1];
  }
  for (size_t list = 0; list < nlist; ++list) {
    begin[list + 1] += begin[list];
    old_size[list] = invlists->list_size(list);
  }
  {
    std::vector<size_t> next(begin.begin(), begin.end() - 1);
    for (idx_t i = 0; i < n; ++i) {
      if (list_nos[i] >= 0) order[next[static_cast<size_t>(list_nos[i])]++] = static_cast<size_t>(i);
    }
  }
  std::vector<size_t> todo;
  for (size_t list = 0; list < nlist; ++list) {
    if (begin[list + 1] > begin[list]) todo.push_back(list);
  }
  const bool l2 = metric_type == faiss::METRIC_L2;
  auto* packed = const_cast<PackedInvertedLists*>(packed_lists());
  try {
    // Lists are independent (FAISS allows concurrent appends to different lists).
    // One run buffer per thread, reused list after list (not an allocation per list). The team of the
    // parallel loop below has at most omp_get_max_threads() threads (no num_threads clause); checked.
    std::vector<std::vector<uint8_t>> runs(static_cast<size_t>(omp_get_max_threads()));
    std::vector<std::vector<idx_t>> run_ids(runs.size());
    for_each_run(todo.size(), 1, [&](size_t t, size_t /*one*/) {
      const size_t list = todo[t], first = begin[list], count = begin[list + 1] - first;
      const size_t thread = static_cast<size_t>(omp_get_thread_num());
      IPAQ_CHECK(thread < runs.size(), StateError, kType, ": OpenMP thread ", thread, " outside a team of ",
                 runs.size());
      std::vector<uint8_t>& run = runs[thread];
      std::vector<idx_t>& ids = run_ids[thread];
      run.resize(count * code_size);
      ids.resize(count);
      gather_rows(codes, stride, code_size, order.data() + first, count, run.data());
      for (size_t j = 0; j < count; ++j) {
        const size_t i = order[first + j];
        ids[j] = xids ? xids[i] : ntotal + static_cast<idx_t>(i);
      }
      // L2 terms of the new entries, as sync_packed() computes them, if the list's terms are in sync
      // (otherwise sync_packed() redoes the list). Changes marked at offsets the terms do not reach (a cut
      // list, reset) leave them valid; one inside them means sync_packed() recomputes the list.
      bool terms_in_sync = l2 && l2_terms_[list].size() == old_size[list];
      if (terms_in_sync && packed != nullptr && packed->first_changed(list) != PackedInvertedLists::kUnchanged) {
        terms_in_sync = packed->first_changed(list) >= old_size[list];
        if (terms_in_sync) packed->clear_changes(list);
      }
      invlists->add_entries(list, count, ids.data(), run.data());  // virtual: a subclass may wrap it
      if (!terms_in_sync) return;  // sync_packed() redoes the list
      // The new entries' terms from what the list now holds (packed lists: the packed sub-codes, no second
      // extraction from the codes), as sync_packed() computes them.
      std::vector<float>& terms = l2_terms_[list];
      grow_terms(terms, old_size[list] + count);  // cut back by the catch below if this throws
      write_l2_terms(list, old_size[list], old_size[list] + count, terms.data() + old_size[list]);
    });
  } catch (...) {
    // All or nothing: cut every list back (shrinking never throws), then clear the cuts' change marks.
    for (size_t list : todo) {
      if (invlists->list_size(list) > old_size[list]) invlists->resize(list, old_size[list]);
      if (l2 && l2_terms_[list].size() > old_size[list]) l2_terms_[list].resize(old_size[list]);
    }
    sync_packed();
    throw;
  }
  faiss::DirectMapAdd dm_adder(direct_map, static_cast<size_t>(n), xids);
  for (idx_t i = 0; i < n; ++i) {
    if (list_nos[i] < 0) dm_adder.add(static_cast<size_t>(i), -1, 0);  // not added (FAISS's convention)
  }
  for (size_t list : todo) {
    for (size_t j = begin[list]; j < begin[list + 1]; ++j) {
      dm_adder.add(order[j], static_cast<idx_t>(list), old_size[list] + (j - begin[list]));
    }
  }
  ntotal += n;
}

void IndexCodecIVF::check_l2_terms_synced() const {
  if (metric_type != faiss::METRIC_L2) return;
  const PackedInvertedLists* packed = packed_lists();
  for (size_t list = 0; list < nlist; ++list) {
    const size_t size = invlists->list_size(list);
    IPAQ_CHECK(l2_terms_[list].size() == size &&
                   (packed == nullptr || packed->first_changed(list) == PackedInvertedLists::kUnchanged),
               StateError, kType, ": list ", list, " has entries without their L2 centroid term (codes added or ",
               "changed behind the index's back): call sync_packed()");
  }
}

void IndexCodecIVF::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                           const faiss::SearchParameters* params_in) const {
  check_search_args(*this, kType, n, x, k, distances, labels);
  const auto* params = dynamic_cast<const faiss::SearchParametersIVF*>(params_in);
  IPAQ_CHECK_ARG(params_in == nullptr || params != nullptr, kType,
                 ": search parameters must be faiss::SearchParametersIVF");
  const size_t nprobe = std::min(nlist, params ? params->nprobe : this->nprobe);
  IPAQ_CHECK_ARG(nprobe > 0, kType, ": nprobe must be >= 1");
  check_l2_terms_synced();
  // As FAISS's IndexIVF::search: the queries in one slice per thread, each slice assigned by the coarse
  // quantizer (BLAS for >= 20 queries) and scanned by search_preassigned on that thread.
  const idx_t nt = std::max<idx_t>(1, std::min<idx_t>(omp_get_max_threads(), n));
  std::vector<faiss::IndexIVFStats> stats(static_cast<size_t>(nt));
  OmpExceptionCarrier carrier;
#pragma omp parallel for if (nt > 1)
  for (idx_t slice = 0; slice < nt; ++slice) {
    carrier.run([&] {
      const idx_t i0 = n * slice / nt, i1 = n * (slice + 1) / nt;
      if (i1 <= i0) return;
      const size_t m = static_cast<size_t>(i1 - i0);
      std::vector<idx_t> keys(m * nprobe);
      std::vector<float> coarse(m * nprobe);
      const double t0 = faiss::getmillisecs();
      quantizer->search(i1 - i0, x + i0 * d, static_cast<idx_t>(nprobe), coarse.data(), keys.data(),
                        params ? params->quantizer_params : nullptr);
      const double t1 = faiss::getmillisecs();
      scan_preassigned(i1 - i0, x + i0 * d, k, nprobe, keys.data(), distances + i0 * k, labels + i0 * k, false,
                       params, &stats[static_cast<size_t>(slice)]);
      stats[static_cast<size_t>(slice)].quantization_time += t1 - t0;
      stats[static_cast<size_t>(slice)].search_time += faiss::getmillisecs() - t0;
    });
  }
  carrier.rethrow();
  for (const auto& s : stats) faiss::indexIVF_stats.add(s);
}

void IndexCodecIVF::search_preassigned(idx_t n, const float* x, idx_t k, const idx_t* keys,
                                       const float* /*coarse_dis*/, float* distances, idx_t* labels,
                                       bool store_pairs, const faiss::SearchParametersIVF* params,
                                       faiss::IndexIVFStats* stats) const {
  check_search_args(*this, kType, n, x, k, distances, labels);
  IPAQ_CHECK_ARG(n == 0 || keys != nullptr, kType, ": search_preassigned needs the probed lists");
  IPAQ_CHECK_ARG(!(params && params->sel && store_pairs), kType, ": a selector and store_pairs cannot be combined");
  const size_t nprobe = std::min(nlist, params ? params->nprobe : this->nprobe);
  IPAQ_CHECK_ARG(nprobe > 0, kType, ": nprobe must be >= 1");
  check_l2_terms_synced();
  scan_preassigned(n, x, k, nprobe, keys, distances, labels, store_pairs, params, stats);
}

void IndexCodecIVF::scan_preassigned(idx_t n, const float* x, idx_t k, size_t nprobe, const idx_t* keys,
                                     float* distances, idx_t* labels, bool store_pairs,
                                     const faiss::SearchParametersIVF* params, faiss::IndexIVFStats* stats) const {
  const size_t max_codes = params ? params->max_codes : this->max_codes;
  const faiss::IDSelector* sel = params ? params->sel : nullptr;
  const bool heap_init = !(parallel_mode & PARALLEL_MODE_NO_HEAP_INIT);
  const bool ip = metric_type == faiss::METRIC_INNER_PRODUCT;
  const size_t kk = static_cast<size_t>(k);
  size_t nlistv = 0, ndis = 0, nheap = 0;
  OmpExceptionCarrier carrier;
#pragma omp parallel if (n > 1 && !omp_in_parallel()) reduction(+ : nlistv, ndis, nheap)
  {
    CodecIVFScanner scanner(*this, store_pairs, sel);
    // One query: its probed lists into its heap.
    auto run_query = [&](auto heap_tag, idx_t qi) {
      using C = decltype(heap_tag);
      float* hd = distances + qi * k;
      idx_t* hi = labels + qi * k;
      if (heap_init) faiss::heap_heapify<C>(kk, hd, hi);
      scanner.set_query(x + qi * d);
      size_t nscan = 0;
      for (size_t p = 0; p < nprobe; ++p) {
        const idx_t key = keys[static_cast<size_t>(qi) * nprobe + p];
        if (key < 0) continue;  // fewer lists than nprobe
        IPAQ_CHECK_ARG(static_cast<size_t>(key) < nlist, kType, ": probed list ", key, " out of range [0, ", nlist, ")");
        const size_t size = invlists->list_size(static_cast<size_t>(key));
        if (size == 0) continue;
        scanner.set_list(key, 0.0f);
        ++nlistv;
        if (store_pairs) {
          nheap += scanner.scan_list<C>(size, nullptr, hd, hi, kk);
        } else {
          faiss::InvertedLists::ScopedIds ids(invlists, static_cast<size_t>(key));
          nheap += scanner.scan_list<C>(size, ids.get(), hd, hi, kk);
        }
        nscan += size;
        if (max_codes != 0 && nscan >= max_codes) break;
      }
      ndis += nscan;
      if (heap_init) faiss::heap_reorder<C>(kk, hd, hi);
    };
#pragma omp for schedule(dynamic)
    for (idx_t qi = 0; qi < n; ++qi) {
      carrier.run([&] {
        if (ip) {
          run_query(faiss::CMin<float, idx_t>(), qi);
        } else {
          run_query(faiss::CMax<float, idx_t>(), qi);
        }
      });
    }
  }
  carrier.rethrow();
  if (stats != nullptr) {
    stats->nq += static_cast<size_t>(n);
    stats->nlist += nlistv;
    stats->ndis += ndis;
    stats->nheap_updates += nheap;
  }
}

void IndexCodecIVF::encode_vectors(idx_t n, const float* x, const idx_t* list_nos, uint8_t* codes,
                                   bool include_listno) const {
  const size_t dd = static_cast<size_t>(d);
  const size_t coarse_size = include_listno ? coarse_code_size() : 0;
  const size_t stride = coarse_size + code_size;
  for_each_run(static_cast<size_t>(n), kRun, [&](size_t begin, size_t m) {
    std::vector<float> residual(m * dd);
    std::vector<uint8_t> run_codes(m * code_size);
    for (size_t i = 0; i < m; ++i) {
      const idx_t list = list_nos[begin + i];
      // FAISS marks vectors it could not assign with -1; their code is left zero and never added (add_core
      // skips them). A standalone code (include_listno: sa_encode) would store the list number: refused.
      IPAQ_CHECK_ARG(list >= 0 || !include_listno, kType, ": row ", begin + i,
                     " was assigned to no coarse list (list number ", list, "): it cannot be encoded");
      if (list < 0) {
        std::fill_n(residual.data() + i * dd, dd, 0.0f);
      } else {
        quantizer->compute_residual(x + (begin + i) * dd, residual.data() + i * dd, list);
      }
    }
    codec_->encode(m, residual.data(), run_codes.data());
    for (size_t i = 0; i < m; ++i) {
      uint8_t* out = codes + (begin + i) * stride;
      if (include_listno) encode_listno(std::max<idx_t>(list_nos[begin + i], 0), out);
      std::copy_n(run_codes.data() + i * code_size, code_size, out + coarse_size);
    }
  });
}

void IndexCodecIVF::sa_decode(idx_t n, const uint8_t* bytes, float* x) const {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || (bytes != nullptr && x != nullptr)), kType,
                 ": sa_decode needs n >= 0 and non-null arrays");
  const size_t dd = static_cast<size_t>(d);
  const size_t coarse_size = coarse_code_size();
  std::vector<float> centroid(dd);
  for (idx_t i = 0; i < n; ++i) {
    const uint8_t* code = bytes + static_cast<size_t>(i) * (coarse_size + code_size);
    const idx_t list = checked_list_number(*this, code, kType);
    codec_->decode(1, code + coarse_size, x + static_cast<size_t>(i) * dd);
    quantizer->reconstruct(list, centroid.data());
    for (size_t j = 0; j < dd; ++j) x[static_cast<size_t>(i) * dd + j] += centroid[j];
  }
}

void IndexCodecIVF::reconstruct_from_offset(int64_t list_no, int64_t offset, float* recons) const {
  faiss::InvertedLists::ScopedCodes code(invlists, static_cast<size_t>(list_no), static_cast<size_t>(offset));
  codec_->decode(1, code.get(), recons);
  std::vector<float> centroid(static_cast<size_t>(d));
  quantizer->reconstruct(list_no, centroid.data());
  for (size_t j = 0; j < centroid.size(); ++j) recons[j] += centroid[j];
}

faiss::InvertedListScanner* IndexCodecIVF::get_InvertedListScanner(bool store_pairs,
                                                                   const faiss::IDSelector* sel) const {
  return new CodecIVFScanner(*this, store_pairs, sel);
}

bool IndexCodecIVF::score_bounds(const float* query, idx_t n, const idx_t* labels, float* estimate,
                                 float* bound) const {
  IPAQ_CHECK_ARG(n >= 0 && query != nullptr && (n == 0 || (labels != nullptr && estimate != nullptr && bound != nullptr)),
                 kType, ": score_bounds needs a query, n >= 0 and n labels / estimates / bounds");
  if (direct_map.type == faiss::DirectMap::NoMap) return false;
  const bool l2 = metric_type == faiss::METRIC_L2;
  const std::unique_ptr<QueryState> q_state = codec_->prepare_query(query);
  std::unique_ptr<QueryState> c_state;  // the centroid prepared as a query (L2), for the list below
  int64_t c_list = -1;
  std::vector<float> centroid(static_cast<size_t>(d));
  const PackedInvertedLists* packed = packed_lists();
  std::vector<uint8_t> code_buf(code_size);
  for (idx_t i = 0; i < n; ++i) {
    idx_t lo = -1;
    try {
      lo = labels[i] < 0 ? -1 : direct_map.get(labels[i]);
    } catch (const faiss::FaissException&) {
      lo = -1;  // FAISS's "key not found" / out of range
    }
    IPAQ_CHECK_ARG(lo >= 0, kType, ": score_bounds label ", labels[i], " is not in the index");
    const int64_t list = faiss::lo_listno(lo), offset = faiss::lo_offset(lo);
    // The candidate's code: assembled into one buffer from the packed lists (no allocation per candidate),
    // or read in place from FAISS's arrays.
    const uint8_t* code = code_buf.data();
    std::optional<faiss::InvertedLists::ScopedCodes> scoped;
    if (packed != nullptr) {
      packed->read_codes(static_cast<size_t>(list), static_cast<size_t>(offset), 1, code_buf.data());
    } else {
      code = scoped.emplace(invlists, static_cast<size_t>(list), static_cast<size_t>(offset)).get();
    }
    float ip = 0, err = 0;
    codec_->estimate_ip(*q_state, 1, code, &ip);
    if (!codec_->ip_error_bound(*q_state, 1, code, &err)) return false;
    if (list != c_list) {
      quantizer->reconstruct(list, centroid.data());
      if (l2) c_state = codec_->prepare_query(centroid.data());
      c_list = list;
    }
    if (!l2) {
      estimate[i] = faiss::fvec_inner_product(query, centroid.data(), static_cast<size_t>(d)) + ip;
      bound[i] = err;
      continue;
    }
    size_t count = 0;
    const float* terms = l2_terms(static_cast<size_t>(list), &count);
    IPAQ_CHECK(static_cast<size_t>(offset) < count, StateError, kType, ": list ", list,
               " has entries without an L2 term (codes added without sync_packed())");
    float c_err = 0;
    codec_->ip_error_bound(*c_state, 1, code, &c_err);
    estimate[i] = faiss::fvec_L2sqr(query, centroid.data(), static_cast<size_t>(d)) + terms[offset] - 2.0f * ip;
    bound[i] = 2.0f * (err + c_err);
  }
  return true;
}

}  // namespace ipaq
