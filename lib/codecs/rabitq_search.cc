#include "lib/codecs/rabitq_search.h"

#include "lib/codecs/float_radix_sort.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ipaq {

namespace {

struct Event {
  float t;
  uint32_t i;
};

inline bool before(const Event& x, const Event& y) { return x.t < y.t || (x.t == y.t && x.i < y.i); }

// The prefix scan shared by both searches: walks `n` events (coordinate indexes in increasing (t, i)
// order), returns the length of the prefix with the largest cosine (0 = all k_i = 0).
class PrefixScan {
 public:
  PrefixScan(const float* a, size_t D, std::vector<uint16_t>& level) : a_(a), level_(level) {
    level_.assign(D, 0);
    den_ = 0.25 * static_cast<double>(D);
    for (size_t i = 0; i < D; ++i) num_ += 0.5 * a[i];
    best_num_sq_ = num_ * num_;
    best_den_ = den_;
  }
  // cos = num/sqrt(den) with num > 0, so cos > best <=> num²·best_den > best_num²·den (no sqrt, no division).
  void step(uint32_t i) {
    ++level_[i];
    num_ += a_[i];
    den_ += 2.0 * level_[i];  // (k + 1/2)² − (k − 1/2)² = 2k
    ++count_;
    const double num_sq = num_ * num_;
    if (num_sq * best_den_ > best_num_sq_ * den_) {
      best_num_sq_ = num_sq;
      best_den_ = den_;
      best_prefix_ = count_;
    }
  }
  size_t best_prefix() const { return best_prefix_; }

 private:
  const float* a_;
  std::vector<uint16_t>& level_;
  double num_ = 0, den_ = 0, best_num_sq_ = 0, best_den_ = 1;
  size_t count_ = 0, best_prefix_ = 0;
};

}  // namespace

void rabitq_rescale_search_reference(const float* a, size_t D, int top, uint16_t* k) {
  std::vector<Event> events;
  events.reserve(D * top);
  for (size_t i = 0; i < D; ++i)
    if (a[i] > 0)
      for (int s = 1; s <= top; ++s) events.push_back({static_cast<float>(s) / a[i], static_cast<uint32_t>(i)});
  std::sort(events.begin(), events.end(), before);
  std::vector<uint16_t> level;
  PrefixScan scan(a, D, level);
  for (const Event& e : events) scan.step(e.i);
  std::fill(k, k + D, 0);
  for (size_t e = 0; e < scan.best_prefix(); ++e) ++k[events[e].i];
}

void rabitq_rescale_search(const float* a, size_t D, int top, uint16_t* k) {
  // The same events as the reference, sorted by the stable radix sort on t (float_radix_sort.h). Events
  // are generated in increasing i, so equal t stay ordered by i: exactly the reference's (t, i) order,
  // hence the same prefix scan.
  thread_local std::vector<Event> events, buffer;
  thread_local std::vector<uint16_t> level;
  size_t n_events = 0;
  for (size_t i = 0; i < D; ++i) n_events += a[i] > 0 ? top : 0;
  events.resize(n_events);
  Event* out = events.data();
  for (size_t i = 0; i < D; ++i) {
    if (!(a[i] > 0)) continue;
    for (int s = 1; s <= top; ++s) *out++ = {static_cast<float>(s) / a[i], static_cast<uint32_t>(i)};
  }
  stable_sort_by_float_key(events, buffer, [](const Event& e) { return e.t; });
  PrefixScan scan(a, D, level);
  for (const Event& e : events) scan.step(e.i);
  std::fill(k, k + D, 0);
  for (size_t e = 0; e < scan.best_prefix(); ++e) ++k[events[e].i];
}

}  // namespace ipaq
