#include "index/rerank.h"

#include <faiss/utils/Heap.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "index/index_checks.h"
#include "index/score_bounds.h"
#include "index/search_params.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/core/omp_exceptions.h"
#include "lib/scan/exact_distance.h"

namespace ipaq {

namespace {

constexpr const char* kType = "IndexRerank";
using idx_t = faiss::Index::idx_t;


// Asks for the first 256 bytes of every candidate vector before the distances are computed: the
// vectors are scattered over the whole array (often outside the caches), and a distance loop alone waits
// for each one's first lines in turn (the hardware prefetcher follows a vector's stream once it has
// started). Same-process A/B (bench/index, 3 rounds each): the first 4 lines beat every line (Fashion-MNIST
// +2-4 %, bge-m3 +1-10 %) and no prefetch (Fashion-MNIST +3-10 %, bge-m3 -1 to +5 %).
void prefetch_vectors(const InMemoryVectorSource& source, const std::vector<idx_t>& ids, size_t d) {
  const size_t bytes = std::min<size_t>(256, d * sizeof(float));
  for (idx_t id : ids) {
    const char* p = reinterpret_cast<const char*>(source.vector(id));
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off, 0, 2);
  }
}

// Re-scores one query's candidates (labels >= 0, best estimate first) into the top k.
// With bounds, a candidate is fetched only if its optimistic distance (estimate -/+ bound) can still beat
// the worst kept exact distance; candidates are fetched in batches of k to keep source calls few. An
// in-memory source is read in place (no copy).
template <class C>
size_t rerank_one(const VectorSource& source, const InMemoryVectorSource* in_memory, const float* q, size_t d,
                  faiss::MetricType metric, ExactDistanceFn exact_distance, const std::vector<idx_t>& cand,
                  const float* est, const float* bound,
                  size_t k, float* out_dist, idx_t* out_ids, std::vector<idx_t>& batch, std::vector<float>& vectors) {
  faiss::heap_heapify<C>(k, out_dist, out_ids);
  // Without bounds every candidate is scored: ask for all of them at once.
  if (in_memory != nullptr && bound == nullptr) prefetch_vectors(*in_memory, cand, d);
  size_t fetched = 0;
  for (size_t begin = 0; begin < cand.size(); begin += k) {
    const size_t end = std::min(cand.size(), begin + k);
    batch.clear();
    for (size_t i = begin; i < end; ++i) {
      if (bound != nullptr && out_ids[0] >= 0) {
        // IP: optimistic = est + bound, useless unless > worst kept; L2: est - bound, unless < worst.
        const float optimistic = metric == faiss::METRIC_INNER_PRODUCT ? est[i] + bound[i] : est[i] - bound[i];
        if (!C::cmp(out_dist[0], optimistic)) continue;
      }
      batch.push_back(cand[i]);
    }
    if (batch.empty()) continue;
    if (in_memory == nullptr) {
      vectors.resize(batch.size() * d);
      source.get(static_cast<idx_t>(batch.size()), batch.data(), vectors.data());
    }
    fetched += batch.size();
    if (in_memory != nullptr && bound != nullptr) prefetch_vectors(*in_memory, batch, d);
    for (size_t i = 0; i < batch.size(); ++i) {
      const float* x = in_memory != nullptr ? in_memory->vector(batch[i]) : vectors.data() + i * d;
      const float dist = exact_distance(q, x, d);
      if (C::cmp(out_dist[0], dist)) faiss::heap_replace_top<C>(k, out_dist, out_ids, dist, batch[i]);
    }
  }
  faiss::heap_reorder<C>(k, out_dist, out_ids);
  return fetched;
}

}  // namespace

InMemoryVectorSource::InMemoryVectorSource(size_t d) : d_(d) {
  IPAQ_CHECK_ARG(d >= 1, "InMemoryVectorSource: dimension must be >= 1");
}

const float* InMemoryVectorSource::vector(idx_t id) const {
  const idx_t count = static_cast<idx_t>(size());
  IPAQ_CHECK_ARG(id >= 0 && id < count, "InMemoryVectorSource: id ", id, " out of range [0, ", count, ")");
  return vectors_.data() + static_cast<size_t>(id) * d_;
}

void InMemoryVectorSource::get(idx_t n, const idx_t* ids, float* out) const {
  for (idx_t i = 0; i < n; ++i) std::copy_n(vector(ids[i]), d_, out + static_cast<size_t>(i) * d_);
}

void InMemoryVectorSource::append(size_t n, const float* x) {
  check_vectors(x, n, d_, "InMemoryVectorSource::append");  // finite, squared norm within float32
  vectors_.insert(vectors_.end(), x, x + n * d_);
}

IndexRerank::IndexRerank(std::unique_ptr<faiss::Index> base, std::unique_ptr<VectorSource> source,
                         float default_factor)
    : faiss::Index(base ? base->d : 0, base ? base->metric_type : faiss::METRIC_L2),
      default_factor_(default_factor) {
  IPAQ_CHECK_ARG(base != nullptr, kType, ": null base index");
  IPAQ_CHECK_ARG(std::isfinite(default_factor) && default_factor >= 1.0f, kType,
                 ": rerank factor must be >= 1, got ", default_factor);
  IPAQ_CHECK_ARG(metric_type == faiss::METRIC_L2 || metric_type == faiss::METRIC_INNER_PRODUCT, kType,
                 ": metric must be L2 or INNER_PRODUCT");
  set_base(std::move(base));
  if (source) {
    set_source(std::move(source));
  } else {
    auto in_memory = std::make_unique<InMemoryVectorSource>(static_cast<size_t>(d));
    in_memory_ = in_memory.get();
    source_ = std::move(in_memory);
  }
}

void IndexRerank::set_base(std::unique_ptr<faiss::Index> base) {
  IPAQ_CHECK_ARG(base != nullptr && base->d == d && base->metric_type == metric_type, kType,
                 ": base must be non-null with d = ", d, " and the same metric");
  base_ = std::move(base);
  ntotal = base_->ntotal;
  is_trained = base_->is_trained;
}

void IndexRerank::set_source(std::unique_ptr<VectorSource> source) {
  IPAQ_CHECK_ARG(source != nullptr && source->dim() == static_cast<size_t>(d), kType,
                 ": vector source must be non-null with dim = ", d);
  source_ = std::move(source);
  in_memory_ = dynamic_cast<InMemoryVectorSource*>(source_.get());
}

void IndexRerank::train(idx_t n, const float* x) {
  base_->train(n, x);
  is_trained = base_->is_trained;
}

void IndexRerank::add(idx_t n, const float* x) {
  check_add_args(*this, kType, n, x);
  base_->add(n, x);
  if (in_memory_) in_memory_->append(static_cast<size_t>(n), x);
  ntotal = base_->ntotal;
}

void IndexRerank::reset() {
  base_->reset();
  if (in_memory_) in_memory_->clear();
  ntotal = 0;
}

void IndexRerank::reconstruct(idx_t key, float* recons) const { source_->get(1, &key, recons); }

void IndexRerank::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                         const faiss::SearchParameters* params) const {
  check_search_args(*this, kType, n, x, k, distances, labels);
  const auto* rp = dynamic_cast<const SearchParametersRerank*>(params);
  const float factor = rp && rp->rerank_factor > 0.0f ? rp->rerank_factor : default_factor_;
  IPAQ_CHECK_ARG(std::isfinite(factor) && factor >= 1.0f, kType, ": rerank factor must be >= 1, got ", factor);
  const faiss::SearchParameters* base_params = rp ? rp->base_params : params;
  const idx_t kc = std::max<idx_t>(k, static_cast<idx_t>(std::ceil(static_cast<double>(k) * factor)));
  const size_t kk = static_cast<size_t>(k), nc = static_cast<size_t>(kc), dd = static_cast<size_t>(d);

  std::vector<float> cand_dist(checked_mul(static_cast<size_t>(n), nc, "candidates"));
  std::vector<idx_t> cand_ids(cand_dist.size());
  base_->search(n, x, kc, cand_dist.data(), cand_ids.data(), base_params);

  const bool want_bounds = rp == nullptr ? in_memory_ == nullptr
                                         : rp->use_error_bound && (in_memory_ == nullptr || rp->bound_with_in_memory_source);
  const auto* bounds = want_bounds ? dynamic_cast<const ScoreBoundProvider*>(base_.get()) : nullptr;
  size_t total_candidates = 0, total_fetched = 0;
  const InMemoryVectorSource* in_memory = in_memory_;
  const ExactDistanceFn exact = exact_distance_fn(metric_type == faiss::METRIC_L2);
  OmpExceptionCarrier carrier;
#pragma omp parallel reduction(+ : total_candidates, total_fetched) if (n > 1)
  {
    // Per-thread scratch, reused across queries.
    std::vector<idx_t> cand, c2, batch;
    std::vector<float> est, bound, e2, b2, vectors;
    std::vector<size_t> order;
#pragma omp for schedule(dynamic)
    for (idx_t qi = 0; qi < n; ++qi) {
      carrier.run([&] {
        const float* q = x + qi * d;
        cand.clear();
        for (size_t j = 0; j < nc; ++j) {
          if (cand_ids[qi * nc + j] >= 0) cand.push_back(cand_ids[qi * nc + j]);
        }
        est.resize(cand.size());
        bound.resize(cand.size());
        bool have_bounds = bounds != nullptr && !cand.empty() &&
                           bounds->score_bounds(q, static_cast<idx_t>(cand.size()), cand.data(), est.data(),
                                                bound.data());
        if (have_bounds) {
          // Visit best reference estimate first so the pruning threshold tightens early.
          order.resize(cand.size());
          std::iota(order.begin(), order.end(), 0);
          const bool larger_first = metric_type == faiss::METRIC_INNER_PRODUCT;
          std::stable_sort(order.begin(), order.end(),
                           [&](size_t a, size_t b) { return larger_first ? est[a] > est[b] : est[a] < est[b]; });
          c2.resize(cand.size());
          e2.resize(cand.size());
          b2.resize(cand.size());
          for (size_t i = 0; i < order.size(); ++i) {
            c2[i] = cand[order[i]];
            e2[i] = est[order[i]];
            b2[i] = bound[order[i]];
          }
          cand.swap(c2);
          est.swap(e2);
          bound.swap(b2);
        }
        const float* b = have_bounds ? bound.data() : nullptr;
        size_t fetched;
        if (metric_type == faiss::METRIC_INNER_PRODUCT) {
          fetched = rerank_one<faiss::CMin<float, idx_t>>(*source_, in_memory, q, dd, metric_type, exact, cand, est.data(), b,
                                                          kk, distances + qi * k, labels + qi * k, batch, vectors);
        } else {
          fetched = rerank_one<faiss::CMax<float, idx_t>>(*source_, in_memory, q, dd, metric_type, exact, cand, est.data(), b,
                                                          kk, distances + qi * k, labels + qi * k, batch, vectors);
        }
        total_candidates += cand.size();
        total_fetched += fetched;
      });
    }
  }
  carrier.rethrow();
  if (rp && rp->stats) {
    rp->stats->candidates += total_candidates;
    rp->stats->fetched += total_fetched;
  }
}

}  // namespace ipaq
