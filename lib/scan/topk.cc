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
  for (size_t i = 0; i < n; ++i) {
    push(distances[i], ids != nullptr ? ids[i] : first_id + static_cast<int64_t>(i));
  }
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
