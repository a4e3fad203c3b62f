// Test data for codec tests: random unit vectors (seeded) and the shared real datasets (.fvecs).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "lib/core/random.h"

namespace ipaq::test {

// n Gaussian vectors of dimension d normalised to unit length (row-major).
inline std::vector<float> random_unit_vectors(size_t n, size_t d, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(n * d);
  for (size_t i = 0; i < n; ++i) {
    double norm_sq = 0;
    for (size_t j = 0; j < d; ++j) {
      x[i * d + j] = static_cast<float>(rng.normal());
      norm_sq += static_cast<double>(x[i * d + j]) * x[i * d + j];
    }
    for (size_t j = 0; j < d; ++j) x[i * d + j] = static_cast<float>(x[i * d + j] / std::sqrt(norm_sq));
  }
  return x;
}

inline double dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Reads at most max_n vectors of a TEXMEX .fvecs file under ../shared/data; fails the test if absent.
inline std::vector<float> read_shared_fvecs(const std::string& relative, size_t max_n, size_t* d_out) {
  const std::string path = std::string(IPAQ_SHARED_DATA_DIR) + "/" + relative;
  std::vector<float> out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    ADD_FAILURE() << "cannot open " << path;
    return out;
  }
  int32_t d = 0;
  size_t n = 0;
  while (n < max_n && std::fread(&d, sizeof d, 1, f) == 1) {
    std::vector<float> row(static_cast<size_t>(d));
    if (std::fread(row.data(), sizeof(float), row.size(), f) != row.size()) break;
    out.insert(out.end(), row.begin(), row.end());
    ++n;
  }
  std::fclose(f);
  *d_out = static_cast<size_t>(d);
  return out;
}

}  // namespace ipaq::test
