// Test helpers shared by the fast-scan tests: integer LUTs that quantize to themselves, and the obvious
// reference for integer group sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/core/random.h"
#include "lib/scan/lut_quantizer.h"

namespace ipaq::testing {

// Integer-valued float LUT (nsub rows of `width` entries) in [0, 255] where every row contains both 0
// and 255: quantize_lut maps it to itself (row min 0, scale 1), so tables are exactly these integers.
// With `maximal`, entry 0 of each row is 0 and all others 255 (codes ≥ 1 then always look up 255).
inline std::vector<float> self_quantizing_lut(size_t nsub, size_t width, Rng& rng, bool maximal) {
  std::vector<float> lut(nsub * width);
  for (size_t j = 0; j < nsub; ++j) {
    float* row = lut.data() + j * width;
    for (size_t c = 0; c < width; ++c) row[c] = maximal ? 255.0f : static_cast<float>(rng.below(256));
    const size_t zero_at = maximal ? 0 : rng.below(width);
    row[zero_at] = 0.0f;
    if (!maximal) row[(zero_at + 1 + rng.below(width - 1)) % width] = 255.0f;  // a different entry
  }
  return lut;
}

// Σ over each group of q.table[s][sub-code s] for n vectors of row-major sub-codes.
inline std::vector<uint32_t> reference_group_sums(const QuantizedLut& q, size_t n, const std::vector<uint8_t>& sub) {
  const size_t width = q.entries_per_row();
  std::vector<uint32_t> sums(n * q.ngroups(), 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t g = 0; g < q.ngroups(); ++g) {
      for (size_t s = q.group_begin[g]; s < q.group_begin[g + 1]; ++s) {
        sums[i * q.ngroups() + g] += q.table[s * width + sub[i * q.nsub + s]];
      }
    }
  }
  return sums;
}

}  // namespace ipaq::testing
