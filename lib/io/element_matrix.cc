#include "lib/io/element_matrix.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::io {

size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return 4;
    case ElementType::kFloat64: return 8;
    case ElementType::kUint8: return 1;
    case ElementType::kInt32: return 4;
    case ElementType::kInt64: return 8;
  }
  return 0;
}

const char* element_type_name(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return "float32";
    case ElementType::kFloat64: return "float64";
    case ElementType::kUint8: return "uint8";
    case ElementType::kInt32: return "int32";
    case ElementType::kInt64: return "int64";
  }
  return "?";
}

void ElementMatrix::resize(size_t rows, size_t dim, ElementType element_type) {
  n = rows;
  d = dim;
  type = element_type;
  bytes.resize(checked_mul(checked_mul(rows, dim, "matrix size"), element_size(type), "matrix size"));
}

void ElementMatrix::truncate_rows(size_t rows) {
  if (rows == 0 || rows >= n) return;
  n = rows;
  bytes.resize(n * row_bytes());
  bytes.shrink_to_fit();
}

namespace {

// Converts every element to Out with the cast `convert`, one type switch for the whole matrix.
template <typename Out, typename Convert>
std::vector<Out> convert_elements(const ElementMatrix& m, Convert convert) {
  const size_t count = m.n * m.d;
  std::vector<Out> out(count);
  auto run = [&](auto tag) {
    using In = decltype(tag);
    for (size_t i = 0; i < count; ++i) {
      In v;
      std::memcpy(&v, m.bytes.data() + i * sizeof(In), sizeof(In));
      out[i] = convert(v);
    }
  };
  switch (m.type) {
    case ElementType::kFloat32: run(float{}); break;
    case ElementType::kFloat64: run(double{}); break;
    case ElementType::kUint8: run(uint8_t{}); break;
    case ElementType::kInt32: run(int32_t{}); break;
    case ElementType::kInt64: run(int64_t{}); break;
  }
  return out;
}

// A finite float64 beyond float32's range would become inf in the conversion and then be reported as
// "not finite" though the file holds a finite value: named here. NaN and inf pass (check_vectors names them).
void check_float32_range(const ElementMatrix& m) {
  const size_t count = m.n * m.d;
  for (size_t i = 0; i < count; ++i) {
    double v;
    std::memcpy(&v, m.bytes.data() + i * sizeof(double), sizeof(double));
    if (std::isfinite(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max())) {
      throw InvalidArgument(format_message(m.source, ": row ", i / m.d, ", column ", i % m.d, ": float64 value ",
                                           v, " is outside the float32 range"));
    }
  }
}

}  // namespace

FloatMatrix to_float_matrix(ElementMatrix&& m) {
  FloatMatrix out;
  out.n = m.n;
  out.d = m.d;
  if (m.type == ElementType::kFloat32) {
    out.data.resize(m.n * m.d);
    std::memcpy(out.data.data(), m.bytes.data(), m.bytes.size());
  } else {
    if (m.type == ElementType::kFloat64) check_float32_range(m);
    out.data = convert_elements<float>(m, [](auto v) { return static_cast<float>(v); });
  }
  m.bytes.clear();
  m.bytes.shrink_to_fit();
  return out;
}

IntMatrix to_int_matrix(ElementMatrix&& m) {
  IPAQ_CHECK_FORMAT(m.type != ElementType::kFloat32 && m.type != ElementType::kFloat64, m.source,
                    ": holds ", element_type_name(m.type), " values where integer ids were expected");
  IntMatrix out;
  out.n = m.n;
  out.d = m.d;
  out.data = convert_elements<int64_t>(m, [](auto v) { return static_cast<int64_t>(v); });
  m.bytes.clear();
  m.bytes.shrink_to_fit();
  return out;
}

}  // namespace ipaq::io
