// ElementMatrix: the n x d matrix a file reader decoded, still in the file's element type.
//
// Internal to lib/io. Each format reader (texmex, npy, IDX, HDF5, raw) fills one of these, already in
// host (little-endian) byte order; the conversions to the public FloatMatrix / IntMatrix live here once,
// so no reader repeats them. `bytes` holds n * d * element_size(type) bytes, row-major; the matrix owns
// them. Not thread-safe (plain value type).
//
// Errors: to_int_matrix() throws ipaq::FormatError (naming `source`) for floating-point elements or
// values outside int64; to_float_matrix() accepts every type (integers are converted exactly up to 2^24).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/io/vector_file.h"

namespace ipaq::io {

enum class ElementType { kFloat32, kFloat64, kUint8, kInt32, kInt64 };

size_t element_size(ElementType type);
const char* element_type_name(ElementType type);

struct ElementMatrix {
  size_t n = 0, d = 0;
  ElementType type = ElementType::kFloat32;
  std::vector<uint8_t> bytes;  // n * d * element_size(type), row-major, host byte order
  std::string source;          // file name, for error messages

  // Allocates bytes for n x d elements; the caller has already checked n * d against the file size.
  void resize(size_t rows, size_t dim, ElementType element_type);
  size_t row_bytes() const { return d * element_size(type); }
  // Keeps only the first `rows` rows (no-op if rows == 0 or rows >= n).
  void truncate_rows(size_t rows);
};

FloatMatrix to_float_matrix(ElementMatrix&& m);
IntMatrix to_int_matrix(ElementMatrix&& m);

}  // namespace ipaq::io
