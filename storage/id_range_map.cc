#include "storage/id_range_map.h"

#include <faiss/impl/IDSelector.h>

#include <algorithm>
#include <numeric>

#include "index/index_codes.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::storage {

namespace {

// Selects the positions whose id the caller's selector selects.
class PositionSelector : public faiss::IDSelector {
 public:
  PositionSelector(const IdRangeMap& map, const faiss::IDSelector& ids) : map_(map), ids_(ids) {}
  bool is_member(idx_t position) const override { return ids_.is_member(map_.id_at(position)); }

 private:
  const IdRangeMap& map_;
  const faiss::IDSelector& ids_;
};

}  // namespace

IdRangeMap::IdRangeMap(std::unique_ptr<faiss::Index> index)
    : faiss::Index(index->d, index->metric_type), index_(std::move(index)) {
  IPAQ_CHECK_ARG(index_->ntotal == 0, "IdRangeMap: the inner index must be empty, it holds ", index_->ntotal);
  is_trained = index_->is_trained;
}

void IdRangeMap::record_ids(idx_t before, idx_t n, const idx_t* ids) {
  ntotal = index_->ntotal;
  IPAQ_CHECK(ntotal == before + n, StateError, "IdRangeMap: inner index grew by ", ntotal - before, ", expected ", n);
  if (contiguous_) {
    if (before == 0 && n > 0) first_ = ids[0];
    idx_t i = 0;
    while (i < n && ids[i] == first_ + before + i) ++i;
    if (i == n) return;
    make_explicit(static_cast<size_t>(before), static_cast<size_t>(ntotal));  // the run breaks at ids[i]
  }
  ids_.insert(ids_.end(), ids, ids + n);
}

void IdRangeMap::make_explicit(size_t held, size_t capacity) {
  std::vector<idx_t> ids;
  ids.reserve(std::max(capacity, planned_));
  ids.resize(held);
  std::iota(ids.begin(), ids.end(), first_);
  ids_ = std::move(ids);
  contiguous_ = false;
}

void IdRangeMap::add_codes(idx_t n, const uint8_t* codes, const idx_t* ids) {
  IPAQ_CHECK_ARG(n == 0 || ids != nullptr, "IdRangeMap::add_codes: ids are null");
  const idx_t before = ntotal;
  add_sa_codes(*index_, n, codes, nullptr);
  record_ids(before, n, ids);
}

void IdRangeMap::reserve(idx_t n) {
  reserve_sa_codes(*index_, n);
  planned_ = std::max(planned_, static_cast<size_t>(ntotal) + static_cast<size_t>(n));
  if (!contiguous_) ids_.reserve(planned_);
}

void IdRangeMap::train(idx_t n, const float* x) {
  index_->train(n, x);
  is_trained = index_->is_trained;
}

void IdRangeMap::add(idx_t, const float*) {
  throw InvalidArgument("IdRangeMap::add: ids are required (add_with_ids or add_codes)");
}

void IdRangeMap::add_with_ids(idx_t n, const float* x, const idx_t* ids) {
  IPAQ_CHECK_ARG(n == 0 || ids != nullptr, "IdRangeMap::add_with_ids: ids are null");
  const idx_t before = ntotal;
  index_->add(n, x);
  record_ids(before, n, ids);
}

void IdRangeMap::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                        const faiss::SearchParameters* params) const {
  IPAQ_CHECK_ARG(params == nullptr || params->sel == nullptr,
                 "IdRangeMap::search: selectors in search parameters are not supported");
  index_->search(n, x, k, distances, labels, params);
  const size_t total = checked_mul(static_cast<size_t>(n), static_cast<size_t>(k), "IdRangeMap::search: n * k");
  for (size_t i = 0; i < total; ++i) {
    if (labels[i] >= 0) labels[i] = id_at(labels[i]);
  }
}

size_t IdRangeMap::remove_ids(const faiss::IDSelector& sel) {
  if (contiguous_) make_explicit(static_cast<size_t>(ntotal), static_cast<size_t>(ntotal));
  const size_t removed = index_->remove_ids(PositionSelector(*this, sel));
  // Same compaction as the inner index (and faiss::IndexIDMap): kept positions keep their order.
  size_t kept = 0;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (!sel.is_member(ids_[i])) ids_[kept++] = ids_[i];
  }
  ids_.resize(kept);
  ntotal = index_->ntotal;
  IPAQ_CHECK(static_cast<size_t>(ntotal) == kept, StateError, "IdRangeMap::remove_ids: inner index kept ", ntotal,
             " vectors, the id map ", kept);
  return removed;
}

void IdRangeMap::reset() {
  index_->reset();
  ntotal = 0;
  contiguous_ = true;
  first_ = 0;
  planned_ = 0;
  std::vector<idx_t>().swap(ids_);
}

}  // namespace ipaq::storage
