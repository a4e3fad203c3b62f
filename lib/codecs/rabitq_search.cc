#include "lib/codecs/rabitq_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
  // The same events as the reference, sorted by an LSD radix sort on the float bits of t (positive
  // floats order like their bit patterns). The sort is stable and events are generated in increasing i,
  // so equal t stay ordered by i: exactly the reference's (t, i) order, hence the same prefix scan.
  thread_local std::vector<Event> events, buffer;
  thread_local std::vector<uint16_t> level;
  size_t n_events = 0;
  for (size_t i = 0; i < D; ++i) n_events += a[i] > 0 ? top : 0;
  events.resize(n_events);
  buffer.resize(n_events);
  Event* out = events.data();
  for (size_t i = 0; i < D; ++i) {
    if (!(a[i] > 0)) continue;
    for (int s = 1; s <= top; ++s) *out++ = {static_cast<float>(s) / a[i], static_cast<uint32_t>(i)};
  }
  constexpr int kDigitBits[3] = {11, 11, 10};
  uint32_t counts[3][2048] = {};
  for (const Event& e : events) {
    uint32_t bits;
    std::memcpy(&bits, &e.t, sizeof bits);
    ++counts[0][bits & 2047];
    ++counts[1][(bits >> 11) & 2047];
    ++counts[2][bits >> 22];
  }
  int shift = 0;
  for (int pass = 0; pass < 3; shift += kDigitBits[pass], ++pass) {
    const uint32_t mask = (1u << kDigitBits[pass]) - 1;
    uint32_t* count = counts[pass];
    // A digit shared by every event leaves the order unchanged: skip the pass.
    if (!events.empty()) {
      uint32_t bits;
      std::memcpy(&bits, &events[0].t, sizeof bits);
      if (count[(bits >> shift) & mask] == events.size()) continue;
    }
    uint32_t sum = 0;
    for (uint32_t v = 0; v <= mask; ++v) {
      const uint32_t c = count[v];
      count[v] = sum;
      sum += c;
    }
    for (const Event& e : events) {
      uint32_t bits;
      std::memcpy(&bits, &e.t, sizeof bits);
      buffer[count[(bits >> shift) & mask]++] = e;
    }
    events.swap(buffer);
  }
  PrefixScan scan(a, D, level);
  for (const Event& e : events) scan.step(e.i);
  std::fill(k, k + D, 0);
  for (size_t e = 0; e < scan.best_prefix(); ++e) ++k[events[e].i];
}

}  // namespace ipaq
