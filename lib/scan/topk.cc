#include "lib/scan/topk.h"

#include <algorithm>

#include "lib/core/error.h"

namespace ipaq {

// The std heap algorithms keep the "largest" element under their comparator at the front; with
// better() as the comparator that is the worst kept entry, the one a new candidate must beat.

TopK::TopK(size_t k, TopKOrder order)
    : k_(k), order_(order), sign_(order == TopKOrder::kLargest ? 1.0f : -1.0f) {
  IPAQ_CHECK_ARG(k >= 1, "TopK: k must be >= 1");
  heap_.reserve(k);
}

void TopK::insert(const Entry& e) {
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(), &TopK::better);
}

void TopK::replace_worst(const Entry& e) {
  std::pop_heap(heap_.begin(), heap_.end(), &TopK::better);
  heap_.back() = e;
  std::push_heap(heap_.begin(), heap_.end(), &TopK::better);
}

void TopK::push_batch(size_t n, const float* distances, const int64_t* ids, int64_t first_id) {
  auto id_of = [&](size_t i) { return ids != nullptr ? ids[i] : first_id + static_cast<int64_t>(i); };
  // Screen chunks first: in a long scan almost no candidate can enter a full heap, and a branch-free
  // comparison of a whole chunk (vectorized by the compiler) is far cheaper than one branch per
  // candidate. A key equal to the worst may still win on its id, hence >=; NaN compares false.
  constexpr size_t kChunk = 16;
  size_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    const float worst = heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().key;
    int any = 0;
    for (size_t j = 0; j < kChunk; ++j) any |= sign_ * distances[i + j] >= worst;
    if (any == 0) continue;
    for (size_t j = 0; j < kChunk; ++j) push(distances[i + j], id_of(i + j));
  }
  for (; i < n; ++i) push(distances[i], id_of(i));
}

void TopK::merge(const TopK& other) {
  IPAQ_CHECK_ARG(other.order_ == order_, "TopK::merge: heaps of different orders");
  for (const Entry& e : other.heap_) push_key(e.key, e.id);
}

void TopK::extract_sorted(float* distances, int64_t* ids) const {
  std::vector<Entry> sorted = heap_;
  std::sort(sorted.begin(), sorted.end(), &TopK::better);
  for (size_t i = 0; i < k_; ++i) {
    if (i < sorted.size()) {
      distances[i] = sign_ * sorted[i].key;
      ids[i] = sorted[i].id;
    } else {
      distances[i] = sign_ * -std::numeric_limits<float>::infinity();
      ids[i] = -1;
    }
  }
}

}  // namespace ipaq
