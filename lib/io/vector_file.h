// Readers and writers of vector files: every file argument of the `ipaq` command goes through here.
//
// Formats (chosen by extension, case-insensitive):
//   .fvecs / .ivecs / .bvecs   TEXMEX: per vector an int32 LE dimension then d float32 / int32 / uint8
//   .npy                       NumPy v1/v2/v3, C order, 2-D (n, d) or 1-D (one vector), <f4, <f8, |u1,
//                              <i4, <i8
//   -idx3-ubyte(.gz), .idx(.gz) IDX (big-endian header, magic 0x00000803/0x00000801; also int32/float32/
//                              float64 element codes); gzip detected from content, via zlib
//   .hdf5 / .h5                ann-benchmarks layout; dataset chosen by `dataset` ("train", "test",
//                              "neighbors", "distances")
//   .f32 / .bin                raw float32, dimension given by the caller
// Errors: a missing, empty, truncated or malformed file throws ipaq::IoError (cannot open/read) or
// ipaq::FormatError (bad content), with a message naming the file and the problem. Sizes are checked
// against the file size before allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipaq::io {

struct FloatMatrix {
  size_t n = 0, d = 0;
  std::vector<float> data;  // n * d, row-major
  const float* row(size_t i) const { return data.data() + i * d; }
};

struct IntMatrix {
  size_t n = 0, d = 0;
  std::vector<int64_t> data;  // n * d, row-major
};

struct ReadOptions {
  std::string dataset;   // HDF5: dataset name (default "train"; read_ids: "neighbors")
  size_t raw_dim = 0;    // raw .f32/.bin: dimension (required)
  size_t max_rows = 0;   // 0 = all rows; else read at most this many
};

// Reads any supported vector file as float32 (uint8/int/float64 converted).
FloatMatrix read_vectors(const std::string& path, const ReadOptions& options = {});
// Reads integer matrices (ground-truth .ivecs, .npy of ints, HDF5 "neighbors").
IntMatrix read_ids(const std::string& path, const ReadOptions& options = {});

void write_fvecs(const std::string& path, const FloatMatrix& m);
void write_ivecs(const std::string& path, const IntMatrix& m);

}  // namespace ipaq::io
