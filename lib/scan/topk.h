// Bounded top-k selection: keeps the k best (distance, id) candidates offered to it.
//
// Order: TopKOrder::kLargest keeps the largest distances (inner product, a min-heap in FAISS terms),
// kSmallest the smallest (L2, a max-heap). Ties are broken by id, the smaller id winning, so the kept set
// and its order are a deterministic function of the multiset of candidates — independent of the order
// they were offered in and of how they were split among per-thread heaps (merge() gives the same result
// as one heap). NaN distances are never kept.
//
// Output (FAISS semantics): extract_sorted() writes exactly k entries, best first; when fewer than k
// candidates were kept the tail is padded with id −1 and distance −inf (kLargest) or +inf (kSmallest).
//
// Cost: push O(log k) when the candidate is kept, O(1) otherwise (one comparison with threshold());
// push_batch first screens chunks of 16 candidates branch-free, ~0.4 ns per rejected candidate.
// Memory: k (float, int64) pairs, owned. Errors: k == 0 throws InvalidArgument. Thread-safety: none
// inside one TopK; use one per thread and merge() them on one thread.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ipaq {

enum class TopKOrder { kLargest, kSmallest };

class TopK {
 public:
  TopK(size_t k, TopKOrder order);

  size_t k() const { return k_; }
  TopKOrder order() const { return order_; }
  size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

  // The distance a candidate must beat (or tie with a smaller id) to be kept: the worst kept distance,
  // or the padding value (−inf / +inf) while fewer than k are kept.
  float threshold() const {
    if (heap_.size() < k_) return sign_ * -std::numeric_limits<float>::infinity();
    return sign_ * heap_.front().key;
  }

  // Offers one candidate.
  void push(float distance, int64_t id) { push_key(sign_ * distance, id); }

  // Offers n candidates: ids[i] if ids is non-null, else first_id + i.
  void push_batch(size_t n, const float* distances, const int64_t* ids, int64_t first_id = 0);

  // Offers every candidate kept by `other` (same order required; throws InvalidArgument otherwise).
  void merge(const TopK& other);

  // distances, ids: k entries each, best first, padded as described above.
  void extract_sorted(float* distances, int64_t* ids) const;

 private:
  // key = distance for kLargest, −distance for kSmallest: larger keys are always better.
  struct Entry {
    float key;
    int64_t id;
  };
  static bool better(const Entry& a, const Entry& b) {
    return a.key > b.key || (a.key == b.key && a.id < b.id);
  }
  void push_key(float key, int64_t id) {
    if (std::isnan(key)) return;
    const Entry e{key, id};
    if (heap_.size() < k_) {
      insert(e);
    } else if (better(e, heap_.front())) {
      replace_worst(e);
    }
  }
  void insert(const Entry& e);        // heap not full
  void replace_worst(const Entry& e); // heap full, e better than the worst

  size_t k_;
  TopKOrder order_;
  float sign_;
  std::vector<Entry> heap_;  // binary heap, worst at front
};

}  // namespace ipaq
