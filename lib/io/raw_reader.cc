// Raw float32 reader: the file is n * dim little-endian float32 values, no header.
#include <algorithm>

#include "lib/core/error.h"
#include "lib/io/format_readers.h"
#include "lib/io/input_file.h"

namespace ipaq::io {

ElementMatrix read_raw_float32(const std::string& path, size_t dim, size_t max_rows) {
  IPAQ_CHECK_ARG(dim > 0, path, ": a raw float32 file needs its dimension (ReadOptions::raw_dim)");
  InputFile file(path);
  file.require_uncompressed("raw float32");
  IPAQ_CHECK_FORMAT(file.file_size() > 0, path, ": empty file (no vectors)");
  const uint64_t row_bytes = static_cast<uint64_t>(dim) * sizeof(float);
  IPAQ_CHECK_FORMAT(file.file_size() % row_bytes == 0, path, ": file size ", file.file_size(),
                    " is not a multiple of ", row_bytes, " bytes (", dim,
                    " float32 per vector): truncated, or the dimension is wrong");
  size_t n = file.file_size() / row_bytes;
  if (max_rows > 0) n = std::min(n, max_rows);
  ElementMatrix m;
  m.source = path;
  m.resize(n, dim, ElementType::kFloat32);
  file.read_exact(m.bytes.data(), m.bytes.size(), "vector values");
  return m;
}

}  // namespace ipaq::io
