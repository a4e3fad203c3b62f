#include "index/index_codec_ivf.h"

#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/invlists/DirectMap.h>
#include <faiss/IndexFlat.h>
#include <faiss/utils/Heap.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <vector>

#include "index/code_scorer.h"
#include "index/index_checks.h"
#include "index/index_codec_flat.h"
#include "index/parallel_runs.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

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

// The centroids of a flat coarse quantizer, read in place (null for other quantizers).
const float* flat_centroids(const faiss::Index& quantizer) {
  const auto* flat = dynamic_cast<const faiss::IndexFlat*>(&quantizer);
  return flat != nullptr && flat->code_size == sizeof(float) * static_cast<size_t>(flat->d) ? flat->get_xb() : nullptr;
}

// Per-thread scanner: one query, one list at a time. Distances are the index's (see the header).
class CodecIVFScanner : public faiss::InvertedListScanner {
 public:
  CodecIVFScanner(const IndexCodecIVF& index, bool store_pairs, const faiss::IDSelector* sel)
      : faiss::InvertedListScanner(store_pairs, sel),
        index_(index),
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
    const float* centroid = centroids_;
    if (centroid != nullptr) {
      centroid += static_cast<size_t>(list) * static_cast<size_t>(index_.d);
    } else {
      index_.quantizer->reconstruct(list, centroid_.data());
      centroid = centroid_.data();
    }
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
      IPAQ_CHECK(count == index_.invlists->list_size(static_cast<size_t>(list)), StateError, kType, ": list ", list,
                 " has ", index_.invlists->list_size(static_cast<size_t>(list)), " entries but ", count,
                 " L2 terms: codes were added behind the index's back, call sync_packed()");
    }
    scorer_.set_offset(offset);
  }

  // The L2 term of an entry is found by its position in the list: FAISS calls this with a pointer into
  // the current list's codes.
  float distance_to_code(const uint8_t* code) const override {
    float dist;
    if (keep_max) {
      scorer_.distances(1, code, &dist);
    } else {
      faiss::InvertedLists::ScopedCodes list_codes(index_.invlists, static_cast<size_t>(list_no));
      const size_t pos = static_cast<size_t>(code - list_codes.get()) / code_size;
      IPAQ_CHECK(code >= list_codes.get() && pos < index_.invlists->list_size(static_cast<size_t>(list_no)),
                 StateError, kType, ": distance_to_code needs a code of the current list under METRIC_L2");
      scorer_.distances(1, code, &dist, l2_terms_ + pos);
    }
    return dist;
  }

  size_t scan_codes(size_t n, const uint8_t* codes, const idx_t* ids, float* distances, idx_t* labels,
                    size_t k) const override {
    return keep_max ? scan<faiss::CMin<float, idx_t>>(n, codes, ids, distances, labels, k)
                    : scan<faiss::CMax<float, idx_t>>(n, codes, ids, distances, labels, k);
  }

 private:
  template <class C>
  size_t scan(size_t n, const uint8_t* codes, const idx_t* ids, float* distances, idx_t* labels, size_t k) const {
    size_t updates = 0;
    size_t packed_count = 0;
    const uint8_t* packed = index_.packed_list(static_cast<size_t>(list_no), &packed_count);
    const uint8_t* side = index_.side_list(static_cast<size_t>(list_no));
    const size_t side_size = index_.codec().lut_side_size();
    const FastScanLayout* layout = index_.fastscan_layout();
    const FastScan8Layout* layout8 = index_.fastscan8_layout();
    for (size_t b = 0; b < n; b += kRun) {
      const size_t m = std::min(kRun, n - b);
      // kRun is a multiple of the 32- and 64-vector blocks, so run b starts at block b / block size.
      const float* terms = keep_max ? nullptr : l2_terms_ + b;
      if (packed != nullptr && b + m <= packed_count && layout != nullptr) {
        scorer_.distances_fastscan(m, packed + (b / FastScanLayout::kBlockSize) * layout->block_bytes(),
                                   side + b * side_size, side_size, dist_.data(), terms);
      } else if (packed != nullptr && b + m <= packed_count) {
        scorer_.distances_fastscan8(m, packed + (b / FastScan8Layout::kBlockSize) * layout8->block_bytes(),
                                    side + b * side_size, side_size, dist_.data(), terms);
      } else {
        scorer_.distances(m, codes + b * code_size, dist_.data(), terms);
      }
      // The selector is asked about the stored ids even when positions are returned (store_pairs).
      if (sel) {
        for (size_t i = 0; i < m; ++i) {
          if (!sel->is_member(ids[b + i])) dist_[i] = C::neutral();
        }
      }
      if (store_pairs) {
        // lo_build(list, offset) = list << 32 | offset: the run's pair ids are consecutive from its first.
        const idx_t first = static_cast<idx_t>(faiss::lo_build(list_no, b));
        updates += CodeScorer::push_to_heap<C>(m, dist_.data(), nullptr, first, nullptr, k, distances, labels);
      } else {
        // Without a selector a query's first list is screened before its pushes (push_run); with one, the
        // rejected entries are neutral distances and the plain push is kept.
        updates += sel ? CodeScorer::push_to_heap<C>(m, dist_.data(), ids + b, 0, nullptr, k, distances, labels)
                       : CodeScorer::push_run<C>(m, dist_.data(), ids + b, 0, k, distances, labels);
      }
    }
    return updates;
  }

  const IndexCodecIVF& index_;
  // FAISS's scan_codes is const but the scanner is per thread: scratch state is mutable.
  mutable CodeScorer scorer_;
  const float* query_ = nullptr;
  const float* l2_terms_ = nullptr;  // L2: the current list's ||r_i||^2 + 2 <c, r̂_i>
  const float* centroids_;           // the flat coarse quantizer's centroids (null: reconstruct)
  std::vector<float> centroid_;
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
  if (fastscan && codec_has_4bit_lut(*codec_)) {
    layout_ = std::make_unique<FastScanLayout>(codec_->lut_nsub(), codec_->lut_group_begin());
  } else if (fastscan && codec_->lut_bits() == 8 && codec_->lut_nsub() > 0) {
    layout8_ = std::make_unique<FastScan8Layout>(codec_->lut_nsub(), codec_->lut_group_begin());
  }
  if (uses_fastscan()) {
    packed_lists_.resize(nlist);
    side_lists_.resize(nlist);
    packed_count_.assign(nlist, 0);
  }
}

void IndexCodecIVF::sync_packed(bool full) {
  if (metric_type == faiss::METRIC_L2) sync_l2_terms(full);
  if (!uses_fastscan()) return;
  const size_t nsub = codec_->lut_nsub();
  std::vector<uint8_t> sub;
  for (size_t list = 0; list < nlist; ++list) {
    if (full) packed_count_[list] = 0;
    const size_t size = invlists->list_size(list);
    // More packed than stored: entries were removed behind our back, repack the list.
    if (packed_count_[list] > size) packed_count_[list] = 0;
    const size_t first = packed_count_[list];
    if (first == size) continue;
    if (first == 0) {
      packed_lists_[list].clear();
      side_lists_[list].clear();
    }
    faiss::InvertedLists::ScopedCodes codes(invlists, list);
    const size_t count = size - first;
    // The side bytes (per-vector factors) of the new entries, contiguous: the scan's finish reads them
    // instead of striding through the codes.
    const size_t side_offset = codec_->lut_side_offset(), side_size = codec_->lut_side_size();
    side_lists_[list].resize(size * side_size);
    for (size_t i = first; i < size; ++i)
      std::copy_n(codes.get() + i * code_size + side_offset, side_size, side_lists_[list].data() + i * side_size);
    sub.resize(count * nsub);
    codec_->extract_sub_codes(count, codes.get() + first * code_size, sub.data());
    packed_lists_[list].resize(layout_ ? layout_->packed_bytes(size) : layout8_->packed_bytes(size), 0);
    if (layout_) {
      pack_4bit_codes_at(*layout_, first, count, sub.data(), packed_lists_[list].data());
    } else {
      for (size_t i = 0; i < count; ++i)
        pack_8bit_code_at(*layout8_, first + i, sub.data() + i * nsub, packed_lists_[list].data());
    }
    packed_count_[list] = size;
  }
}

// ||r||^2 + 2 <c, r̂>: the stored norm plus 2 est<c, r> with the scalar reference estimator (the estimate
// of a prepared vector is its inner product with the decoded code), the centroid prepared once per list.
void IndexCodecIVF::sync_l2_terms(bool full) {
  l2_terms_.resize(nlist);
  std::vector<size_t> todo;
  for (size_t list = 0; list < nlist; ++list) {
    const size_t size = invlists->list_size(list);
    if (full || l2_terms_[list].size() > size) l2_terms_[list].clear();
    if (l2_terms_[list].size() < size) todo.push_back(list);
  }
  if (todo.empty()) return;
  // Lists are independent: parallel over them (the codec's const methods are thread-safe).
  for_each_run(todo.size(), 1, [&](size_t t, size_t /*one*/) {
    const size_t list = todo[t];
    std::vector<float> centroid(static_cast<size_t>(d));
    quantizer->reconstruct(static_cast<idx_t>(list), centroid.data());
    const auto state = codec_->prepare_query(centroid.data());
    const size_t first = l2_terms_[list].size(), size = invlists->list_size(list);
    faiss::InvertedLists::ScopedCodes codes(invlists, list);
    std::vector<float>& terms = l2_terms_[list];
    terms.resize(size);
    codec_->estimate_ip(*state, size - first, codes.get() + first * code_size, terms.data() + first);
    for (size_t i = first; i < size; ++i) {
      terms[i] = codec_->stored_norm_sq(codes.get() + i * code_size) + 2.0f * terms[i];
    }
  });
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
  if (!uses_fastscan() || list_no >= nlist) {
    *count = 0;
    return nullptr;
  }
  *count = packed_count_[list_no];
  return packed_lists_[list_no].data();
}

const uint8_t* IndexCodecIVF::side_list(size_t list_no) const {
  return uses_fastscan() && list_no < nlist ? side_lists_[list_no].data() : nullptr;
}

void IndexCodecIVF::reset() {
  faiss::IndexIVF::reset();
  for (auto& p : packed_lists_) p.clear();
  for (auto& p : side_lists_) p.clear();
  std::fill(packed_count_.begin(), packed_count_.end(), 0);
  for (auto& t : l2_terms_) t.clear();
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

size_t IndexCodecIVF::remove_ids(const faiss::IDSelector& sel) {
  const size_t removed = faiss::IndexIVF::remove_ids(sel);
  // Removal moves entries inside lists: repack everything and recompute the L2 terms.
  sync_packed(true);
  return removed;
}

IndexCodecIVF::~IndexCodecIVF() = default;

void IndexCodecIVF::set_query_workload(idx_t nq, const float* queries) {
  IPAQ_CHECK_ARG(nq >= 1 && queries != nullptr, kType, ": the query workload needs at least one query, got nq = ", nq);
  codec_->set_query_workload(static_cast<size_t>(nq), static_cast<size_t>(d), queries);
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
  faiss::IndexIVF::add_with_ids(n, x, xids);
  sync_packed();
}

void IndexCodecIVF::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                           const faiss::SearchParameters* params) const {
  check_search_args(*this, kType, n, x, k, distances, labels);
  IPAQ_CHECK_ARG(params == nullptr || dynamic_cast<const faiss::SearchParametersIVF*>(params) != nullptr, kType,
                 ": search parameters must be faiss::SearchParametersIVF");
  if (metric_type == faiss::METRIC_L2) {
    for (size_t list = 0; list < nlist; ++list) {
      const size_t size = invlists->list_size(list);
      IPAQ_CHECK(list < l2_terms_.size() ? l2_terms_[list].size() == size : size == 0, StateError, kType,
                 ": list ", list, " has entries without their L2 centroid term (codes added behind the index's ",
                 "back): call sync_packed()");
    }
  }
  faiss::IndexIVF::search(n, x, k, distances, labels, params);
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
      // FAISS marks vectors it could not assign with -1; their code is left zero and never added.
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
  const uint8_t* code = invlists->get_single_code(static_cast<size_t>(list_no), static_cast<size_t>(offset));
  codec_->decode(1, code, recons);
  invlists->release_codes(static_cast<size_t>(list_no), code);
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
  for (idx_t i = 0; i < n; ++i) {
    idx_t lo = -1;
    try {
      lo = labels[i] < 0 ? -1 : direct_map.get(labels[i]);
    } catch (const faiss::FaissException&) {
      lo = -1;  // FAISS's "key not found" / out of range
    }
    IPAQ_CHECK_ARG(lo >= 0, kType, ": score_bounds label ", labels[i], " is not in the index");
    const int64_t list = faiss::lo_listno(lo), offset = faiss::lo_offset(lo);
    faiss::InvertedLists::ScopedCodes code(invlists, static_cast<size_t>(list), static_cast<size_t>(offset));
    float ip = 0, err = 0;
    codec_->estimate_ip(*q_state, 1, code.get(), &ip);
    if (!codec_->ip_error_bound(*q_state, 1, code.get(), &err)) return false;
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
    codec_->ip_error_bound(*c_state, 1, code.get(), &c_err);
    estimate[i] = faiss::fvec_L2sqr(query, centroid.data(), static_cast<size_t>(d)) + terms[offset] - 2.0f * ip;
    bound[i] = 2.0f * (err + c_err);
  }
  return true;
}

}  // namespace ipaq
