// IDX reader (the MNIST / Fashion-MNIST layout), plain or gzip-compressed.
// Layout: magic 0x00 0x00 <type> <rank>, then <rank> big-endian uint32 sizes, then the big-endian
// elements. Types: 0x08 uint8, 0x0C int32, 0x0D float32, 0x0E float64. Shape (n, s1, s2, ...) is read as
// n rows of s1*s2*... values (rank 1: n rows of one value, e.g. labels).
#include <algorithm>
#include <cstring>

#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/io/format_readers.h"
#include "lib/io/input_file.h"

namespace ipaq::io {

namespace {

ElementType idx_element_type(uint8_t code, const std::string& path) {
  switch (code) {
    case 0x08: return ElementType::kUint8;
    case 0x0C: return ElementType::kInt32;
    case 0x0D: return ElementType::kFloat32;
    case 0x0E: return ElementType::kFloat64;
    default:
      throw FormatError(format_message(path, ": IDX element type code 0x", std::hex, int{code},
                                       " is not supported (0x08 uint8, 0x0C int32, 0x0D float32, 0x0E float64)"));
  }
}

// IDX stores elements big-endian; the host is little-endian.
void swap_to_host(ElementMatrix& m) {
  const size_t width = element_size(m.type);
  if (width == 1) return;
  for (size_t off = 0; off < m.bytes.size(); off += width) {
    std::reverse(m.bytes.begin() + off, m.bytes.begin() + off + width);
  }
}

}  // namespace

ElementMatrix read_idx(const std::string& path, size_t max_rows) {
  InputFile file(path);
  IPAQ_CHECK_FORMAT(file.file_size() > 0, path, ": empty file (no IDX header)");
  uint8_t magic[4];
  file.read_exact(magic, sizeof(magic), "the IDX magic");
  IPAQ_CHECK_FORMAT(magic[0] == 0 && magic[1] == 0, path, ": not an IDX file (bad magic)");
  const ElementType type = idx_element_type(magic[2], path);
  const int rank = magic[3];
  IPAQ_CHECK_FORMAT(rank >= 1 && rank <= 4, path, ": IDX rank ", rank, " is not supported (1..4)");
  uint64_t n = 0, d = 1;
  for (int r = 0; r < rank; ++r) {
    const uint32_t size = __builtin_bswap32(file.read_value<uint32_t>("an IDX dimension size"));
    IPAQ_CHECK_FORMAT(size > 0, path, ": IDX dimension ", r, " is zero (empty array)");
    if (r == 0) {
      n = size;
    } else {
      d = checked_mul(d, size, "IDX row size");
    }
  }
  const uint64_t row_bytes = checked_mul(d, element_size(type), "IDX row size");
  const uint64_t bound = file.content_bound();
  IPAQ_CHECK_FORMAT(row_bytes <= bound && n <= bound / row_bytes, path, ": IDX header declares ", n,
                    " x ", d, " ", element_type_name(type), " values, more than the file can hold (",
                    file.file_size(), " bytes", file.compressed() ? " compressed" : "", "): truncated or corrupted");
  const bool read_all = max_rows == 0 || max_rows >= n;
  if (!read_all) n = max_rows;
  ElementMatrix m;
  m.source = path;
  m.resize(n, d, type);
  file.read_exact(m.bytes.data(), m.bytes.size(), "IDX data");
  if (read_all) file.expect_end("IDX");
  swap_to_host(m);
  return m;
}

}  // namespace ipaq::io
