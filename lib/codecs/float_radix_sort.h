// Stable LSD radix sort of items by a float key, written once for the codecs' per-vector sorts (ASQ
// per-vector levels, the extended-RaBitQ rescale search).
//
// Order: increasing key, equal keys in their input order (stable). Keys must not be NaN; -0.0 sorts
// just below +0.0 (the keys are the order-preserving integer images of the float bit patterns). Three
// passes of 11/11/10 bits; a pass whose digit is shared by every item leaves the order unchanged and is
// skipped. O(n), no allocation beyond `buffer` (resized to items.size(); pass the same vector to
// repeated calls). Thread-safe for distinct vectors.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace ipaq {

// The order-preserving integer image of a non-NaN float: negatives reversed below the positives.
inline uint32_t float_sort_key(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

// key(item) -> float. Sorts `items` in place; `buffer` is scratch.
template <typename T, typename Key>
void stable_sort_by_float_key(std::vector<T>& items, std::vector<T>& buffer, const Key& key) {
  constexpr int kDigitBits[3] = {11, 11, 10};
  uint32_t counts[3][2048] = {};
  for (const T& item : items) {
    const uint32_t k = float_sort_key(key(item));
    ++counts[0][k & 2047];
    ++counts[1][(k >> 11) & 2047];
    ++counts[2][k >> 22];
  }
  buffer.resize(items.size());
  int shift = 0;
  for (int pass = 0; pass < 3; shift += kDigitBits[pass], ++pass) {
    const uint32_t mask = (1u << kDigitBits[pass]) - 1;
    uint32_t* count = counts[pass];
    if (items.empty() || count[(float_sort_key(key(items[0])) >> shift) & mask] == items.size()) continue;
    uint32_t sum = 0;
    for (uint32_t v = 0; v <= mask; ++v) {
      const uint32_t c = count[v];
      count[v] = sum;
      sum += c;
    }
    for (const T& item : items) buffer[count[(float_sort_key(key(item)) >> shift) & mask]++] = item;
    items.swap(buffer);
  }
}

}  // namespace ipaq
