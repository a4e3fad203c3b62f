// The per-format readers behind read_vectors()/read_ids() (lib/io/vector_file.h).
//
// Internal to lib/io. Each returns the whole matrix (or its first max_rows rows; 0 = all) in the file's
// element type, in host byte order, with ElementMatrix::source = path. Every size declared in a header
// is checked against the file size before allocating. Errors: ipaq::IoError if the file cannot be
// opened; ipaq::FormatError naming the file and the problem for empty, truncated or malformed content;
// ipaq::InvalidArgument for a bad caller option (e.g. raw file without a dimension).
#pragma once

#include <string>

#include "lib/io/element_matrix.h"

namespace ipaq::io {

// TEXMEX .fvecs (float32), .ivecs (int32), .bvecs (uint8): per row an int32 dimension then d values.
ElementMatrix read_texmex(const std::string& path, ElementType type, size_t max_rows);
// NumPy .npy v1/v2/v3, C order, shape (n, d) or (d,) (one row); <f4, <f8, |u1, <i4, <i8.
ElementMatrix read_npy(const std::string& path, size_t max_rows);
// IDX (MNIST layout), plain or gzip: u8, i32, f32 or f64; shape (n, dims...) flattened to n x prod(dims).
ElementMatrix read_idx(const std::string& path, size_t max_rows);
// ann-benchmarks HDF5: one dataset of rank 1 or 2, float (read as float32) or integer (read as int64).
ElementMatrix read_hdf5(const std::string& path, const std::string& dataset, size_t max_rows);
// Raw little-endian float32, `dim` values per row.
ElementMatrix read_raw_float32(const std::string& path, size_t dim, size_t max_rows);

}  // namespace ipaq::io
