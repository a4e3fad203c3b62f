// NumPy .npy reader. Layout: "\x93NUMPY", major, minor, header length (uint16 LE for v1, uint32 LE for
// v2/v3), an ASCII (v3: UTF-8) Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)},
// then the raw array bytes.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "lib/core/error.h"
#include "lib/io/format_readers.h"
#include "lib/io/input_file.h"

namespace ipaq::io {

namespace {

constexpr char kNpyMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

// The text after "'key':" in the header dict, with leading spaces removed.
std::string_view dict_value(std::string_view header, std::string_view key, const std::string& path) {
  std::string quoted(1, '\'');
  quoted.append(key).push_back('\'');
  size_t pos = header.find(quoted);
  IPAQ_CHECK_FORMAT(pos != std::string_view::npos, path, ": .npy header has no '", key, "' entry");
  pos = header.find(':', pos + quoted.size());
  IPAQ_CHECK_FORMAT(pos != std::string_view::npos, path, ": .npy header entry '", key, "' has no value");
  std::string_view rest = header.substr(pos + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return rest;
}

ElementType parse_descr(std::string_view header, const std::string& path) {
  std::string_view v = dict_value(header, "descr", path);
  IPAQ_CHECK_FORMAT(!v.empty() && (v.front() == '\'' || v.front() == '"'), path,
                    ": .npy 'descr' is not a simple type string (structured arrays are not supported)");
  const size_t end = v.find(v.front(), 1);
  IPAQ_CHECK_FORMAT(end != std::string_view::npos, path, ": .npy 'descr' string is not terminated");
  const std::string descr(v.substr(1, end - 1));
  if (descr == "<f4") return ElementType::kFloat32;
  if (descr == "<f8") return ElementType::kFloat64;
  if (descr == "|u1" || descr == "<u1") return ElementType::kUint8;
  if (descr == "<i4") return ElementType::kInt32;
  if (descr == "<i8") return ElementType::kInt64;
  throw FormatError(format_message(path, ": .npy element type '", descr,
                                   "' is not supported (supported: <f4, <f8, |u1, <i4, <i8)"));
}

std::vector<uint64_t> parse_shape(std::string_view header, const std::string& path) {
  std::string_view v = dict_value(header, "shape", path);
  IPAQ_CHECK_FORMAT(!v.empty() && v.front() == '(', path, ": .npy 'shape' is not a tuple");
  const size_t close = v.find(')');
  IPAQ_CHECK_FORMAT(close != std::string_view::npos, path, ": .npy 'shape' tuple is not terminated");
  std::vector<uint64_t> dims;
  std::string_view items = v.substr(1, close - 1);
  while (!items.empty()) {
    while (!items.empty() && (items.front() == ' ' || items.front() == ',')) items.remove_prefix(1);
    if (items.empty()) break;
    IPAQ_CHECK_FORMAT(items.front() != '-', path, ": .npy 'shape' holds a negative entry");
    uint64_t value = 0;
    size_t digits = 0;
    while (digits < items.size() && items[digits] >= '0' && items[digits] <= '9') {
      IPAQ_CHECK_FORMAT(value <= (UINT64_MAX - 9) / 10, path, ": .npy shape value overflows");
      value = value * 10 + static_cast<uint64_t>(items[digits] - '0');
      ++digits;
    }
    IPAQ_CHECK_FORMAT(digits > 0, path, ": .npy 'shape' holds a non-integer entry");
    dims.push_back(value);
    items.remove_prefix(digits);
  }
  return dims;
}

}  // namespace

ElementMatrix read_npy(const std::string& path, size_t max_rows) {
  InputFile file(path);
  file.require_uncompressed(".npy");
  IPAQ_CHECK_FORMAT(file.file_size() > 0, path, ": empty file (no array)");
  char magic[6];
  file.read_exact(magic, sizeof(magic), "the .npy magic");
  IPAQ_CHECK_FORMAT(std::memcmp(magic, kNpyMagic, sizeof(magic)) == 0, path,
                    ": not a .npy file (bad magic)");
  const auto major = file.read_value<uint8_t>("the .npy version");
  file.read_value<uint8_t>("the .npy minor version");
  IPAQ_CHECK_FORMAT(major >= 1 && major <= 3, path, ": .npy format version ", int{major},
                    " is not supported (1, 2 or 3)");
  const uint64_t header_len = major == 1 ? file.read_value<uint16_t>("the .npy header length")
                                         : file.read_value<uint32_t>("the .npy header length");
  IPAQ_CHECK_FORMAT(header_len <= file.content_bound(), path, ": .npy header length ", header_len,
                    " exceeds the file size");
  std::string header(header_len, '\0');
  file.read_exact(header.data(), header.size(), "the .npy header");

  const ElementType type = parse_descr(header, path);
  const std::string_view fortran = dict_value(header, "fortran_order", path);
  IPAQ_CHECK_FORMAT(fortran.rfind("False", 0) == 0, path,
                    ": .npy array is in Fortran order; save it in C order (np.ascontiguousarray)");
  const std::vector<uint64_t> shape = parse_shape(header, path);
  IPAQ_CHECK_FORMAT(shape.size() == 1 || shape.size() == 2, path, ": .npy array has ", shape.size(),
                    " dimensions, expected 1 (one vector) or 2 (n x d)");
  uint64_t n = shape.size() == 2 ? shape[0] : 1;
  const uint64_t d = shape.back();
  IPAQ_CHECK_FORMAT(n > 0 && d > 0, path, ": .npy array is empty (shape has a zero)");
  const uint64_t row_bytes = d * element_size(type);
  IPAQ_CHECK_FORMAT(d <= file.content_bound() / element_size(type) &&
                        n <= file.content_bound() / row_bytes && n * row_bytes == file.content_bound(),
                    path, ": .npy data is ", file.content_bound(), " bytes but the shape (", n, ", ", d,
                    ") of ", element_type_name(type), " needs ", n, " x ", row_bytes,
                    " bytes: truncated or corrupted");
  if (max_rows > 0) n = std::min<uint64_t>(n, max_rows);
  ElementMatrix m;
  m.source = path;
  m.resize(n, d, type);
  file.read_exact(m.bytes.data(), m.bytes.size(), "array data");
  return m;
}

}  // namespace ipaq::io
