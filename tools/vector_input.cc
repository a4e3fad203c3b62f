#include "tools/vector_input.h"

#include <cmath>

#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::cli {

FileSpec parse_file_spec(const std::string& argument) {
  for (const char* ext : {".hdf5:", ".h5:"}) {
    const size_t pos = argument.rfind(ext);
    if (pos != std::string::npos) {
      const size_t colon = pos + std::char_traits<char>::length(ext) - 1;
      return {argument.substr(0, colon), argument.substr(colon + 1)};
    }
  }
  return {argument, ""};
}

io::FloatMatrix load_vectors(const std::string& argument, const char* default_dataset, size_t max_rows,
                             bool normalize) {
  const FileSpec spec = parse_file_spec(argument);
  io::ReadOptions options;
  options.dataset = spec.dataset.empty() ? default_dataset : spec.dataset;
  options.max_rows = max_rows;
  io::FloatMatrix m = io::read_vectors(spec.path, options);
  const std::string what = spec.path + " (vectors)";
  check_vectors(m.data.data(), m.n, m.d, what.c_str());
  if (normalize) normalize_rows(m);
  return m;
}

io::FloatMatrix load_workload(const std::string& argument, size_t d, bool normalize) {
  io::FloatMatrix m = load_vectors(argument, "test", 0, normalize);
  IPAQ_CHECK_ARG(m.d == d, "workload queries (", argument, ") have dimension ", m.d, " but base vectors have ", d);
  return m;
}

io::IntMatrix load_ids(const std::string& argument, const char* default_dataset) {
  const FileSpec spec = parse_file_spec(argument);
  io::ReadOptions options;
  options.dataset = spec.dataset.empty() ? default_dataset : spec.dataset;
  return io::read_ids(spec.path, options);
}

void normalize_rows(io::FloatMatrix& m) {
  for (size_t i = 0; i < m.n; ++i) {
    float* row = m.data.data() + i * m.d;
    double norm_sq = 0;
    for (size_t j = 0; j < m.d; ++j) norm_sq += static_cast<double>(row[j]) * row[j];
    if (norm_sq == 0) continue;
    const float scale = static_cast<float>(1.0 / std::sqrt(norm_sq));
    for (size_t j = 0; j < m.d; ++j) row[j] *= scale;
  }
}

}  // namespace ipaq::cli
