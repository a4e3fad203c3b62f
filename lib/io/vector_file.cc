// read_vectors / read_ids: choose the format reader from the file name; write_fvecs / write_ivecs.
#include "lib/io/vector_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "lib/core/error.h"
#include "lib/io/format_readers.h"

namespace ipaq::io {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ElementMatrix read_any(const std::string& path, const ReadOptions& options, const char* default_dataset) {
  std::string name = lowercase(path);
  const std::string base = ends_with(name, ".gz") ? name.substr(0, name.size() - 3) : name;
  ElementMatrix m;
  if (ends_with(name, ".fvecs")) {
    m = read_texmex(path, ElementType::kFloat32, options.max_rows);
  } else if (ends_with(name, ".ivecs")) {
    m = read_texmex(path, ElementType::kInt32, options.max_rows);
  } else if (ends_with(name, ".bvecs")) {
    m = read_texmex(path, ElementType::kUint8, options.max_rows);
  } else if (ends_with(name, ".npy")) {
    m = read_npy(path, options.max_rows);
  } else if (ends_with(base, "-ubyte") || ends_with(base, ".idx") || ends_with(base, ".idx1") ||
             ends_with(base, ".idx3")) {
    m = read_idx(path, options.max_rows);
  } else if (ends_with(name, ".hdf5") || ends_with(name, ".h5")) {
    const std::string dataset = options.dataset.empty() ? default_dataset : options.dataset;
    m = read_hdf5(path, dataset, options.max_rows);
  } else if (ends_with(name, ".f32") || ends_with(name, ".bin")) {
    m = read_raw_float32(path, options.raw_dim, options.max_rows);
  } else {
    throw InvalidArgument(format_message(
        path, ": unknown vector file format (expected .fvecs, .ivecs, .bvecs, .npy, IDX (-ubyte[.gz]), "
              ".hdf5/.h5, or raw .f32/.bin)"));
  }
  return m;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Writes TEXMEX records (int32 d, then d elements of T) to `path`; IoError on any failure.
template <typename T, typename Get>
void write_texmex(const std::string& path, size_t n, size_t d, Get get) {
  IPAQ_CHECK_ARG(d > 0 && d <= static_cast<size_t>(std::numeric_limits<int32_t>::max()), path,
                 ": cannot write dimension ", d, " in TEXMEX format");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) throw IoError(format_message(path, ": cannot create: ", std::strerror(errno)));
  const int32_t dim = static_cast<int32_t>(d);
  std::vector<T> row(d);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) row[j] = get(i, j);
    if (std::fwrite(&dim, sizeof(dim), 1, file.get()) != 1 ||
        std::fwrite(row.data(), sizeof(T), d, file.get()) != d) {
      throw IoError(format_message(path, ": write failed: ", std::strerror(errno)));
    }
  }
  if (std::fclose(file.release()) != 0) {
    throw IoError(format_message(path, ": write failed on close: ", std::strerror(errno)));
  }
}

}  // namespace

FloatMatrix read_vectors(const std::string& path, const ReadOptions& options) {
  return to_float_matrix(read_any(path, options, "train"));
}

IntMatrix read_ids(const std::string& path, const ReadOptions& options) {
  return to_int_matrix(read_any(path, options, "neighbors"));
}

void write_fvecs(const std::string& path, const FloatMatrix& m) {
  IPAQ_CHECK_ARG(m.data.size() == m.n * m.d, path, ": matrix holds ", m.data.size(), " values, not ",
                 m.n, " x ", m.d);
  write_texmex<float>(path, m.n, m.d, [&](size_t i, size_t j) { return m.data[i * m.d + j]; });
}

void write_ivecs(const std::string& path, const IntMatrix& m) {
  IPAQ_CHECK_ARG(m.data.size() == m.n * m.d, path, ": matrix holds ", m.data.size(), " values, not ",
                 m.n, " x ", m.d);
  for (int64_t v : m.data) {
    IPAQ_CHECK_ARG(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max(),
                   path, ": id ", v, " does not fit the int32 elements of .ivecs");
  }
  write_texmex<int32_t>(path, m.n, m.d,
                        [&](size_t i, size_t j) { return static_cast<int32_t>(m.data[i * m.d + j]); });
}

}  // namespace ipaq::io
