// Helpers shared by the storage tests: a temporary directory removed on destruction, deterministic
// vectors, and a brute-force-free reference (an index rebuilt fresh from the same trained state).
#pragma once

#include <faiss/IndexIDMap.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "lib/core/random.h"
#include "storage/durable_index.h"

namespace ipaq::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ipaq-storage-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// n * d Gaussian floats; row i depends only on (seed, i), so any subset of rows can be regenerated.
inline std::vector<float> gaussian_rows(size_t first_row, size_t n, size_t d, uint64_t seed) {
  std::vector<float> x(n * d);
  for (size_t i = 0; i < n; ++i) {
    Rng rng(derive_seed(seed, first_row + i));
    for (size_t j = 0; j < d; ++j) x[i * d + j] = static_cast<float>(rng.normal());
  }
  return x;
}

// An exact flat L2 index of dimension dim (trained at construction; results checkable by hand).
inline IndexSpec flat_l2_spec(size_t dim) {
  IndexSpec spec;
  spec.dim = dim;
  spec.descriptor = "Flat";
  spec.metric = faiss::METRIC_L2;
  return spec;
}

inline std::vector<int64_t> id_range(int64_t first, size_t n) {
  std::vector<int64_t> ids(n);
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

}  // namespace ipaq::storage::testing
