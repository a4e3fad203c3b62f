// TEXMEX .fvecs/.ivecs/.bvecs reader. Layout per vector: int32 LE dimension d, then d elements.
#include <algorithm>

#include "lib/core/error.h"
#include "lib/io/format_readers.h"
#include "lib/io/input_file.h"

namespace ipaq::io {

namespace {
// Larger dimensions are certainly a foreign file read as TEXMEX.
constexpr int32_t kMaxTexmexDim = 1 << 24;
}  // namespace

ElementMatrix read_texmex(const std::string& path, ElementType type, size_t max_rows) {
  InputFile file(path);
  file.require_uncompressed("TEXMEX");
  IPAQ_CHECK_FORMAT(file.file_size() > 0, path, ": empty file (no vectors)");
  const auto dim = file.read_value<int32_t>("the first dimension header");
  IPAQ_CHECK_FORMAT(dim > 0 && dim <= kMaxTexmexDim, path, ": first dimension header is ", dim,
                    ", expected 1..", kMaxTexmexDim, " (not a TEXMEX file?)");
  const uint64_t record = 4 + static_cast<uint64_t>(dim) * element_size(type);
  IPAQ_CHECK_FORMAT(file.file_size() % record == 0, path, ": file size ", file.file_size(),
                    " is not a multiple of the record size ", record, " (4 + ", dim, " * ",
                    element_size(type), " bytes): truncated, or vectors of different dimensions");
  size_t n = file.file_size() / record;
  if (max_rows > 0) n = std::min(n, max_rows);

  ElementMatrix m;
  m.source = path;
  m.resize(n, static_cast<size_t>(dim), type);
  const size_t row_bytes = m.row_bytes();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) {
      const auto row_dim = file.read_value<int32_t>("a dimension header");
      IPAQ_CHECK_FORMAT(row_dim == dim, path, ": vector ", i, " has dimension ", row_dim,
                        ", vector 0 has ", dim, " (mixed dimensions are not supported)");
    }
    file.read_exact(m.bytes.data() + i * row_bytes, row_bytes, "vector values");
  }
  return m;
}

}  // namespace ipaq::io
