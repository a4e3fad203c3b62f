// Loading the vector files named on the `ipaq` command line.
//
// A file argument is `PATH` or, for HDF5 files, `PATH:DATASET` (e.g. fashion-mnist-784-euclidean.hdf5:test);
// without a dataset the caller's default applies ("train" for base vectors, "test" for queries,
// "neighbors" for ground truth). Vectors are checked finite (InvalidArgument naming the file) and can
// be L2-normalised (inner-product search on cosine data). Errors from lib/io propagate unchanged
// (IoError / FormatError naming the file). Not thread-safe (plain functions on value types).
#pragma once

#include <string>

#include "lib/io/vector_file.h"

namespace ipaq::cli {

struct FileSpec {
  std::string path;
  std::string dataset;  // empty = the caller's default
};

// Splits "PATH:DATASET" when PATH ends in .hdf5/.h5; otherwise the whole argument is the path.
FileSpec parse_file_spec(const std::string& argument);

// Reads float vectors (at most max_rows, 0 = all), checks them finite, optionally normalises each row.
io::FloatMatrix load_vectors(const std::string& argument, const char* default_dataset, size_t max_rows,
                             bool normalize);
// The sample queries of `--workload FILE` (workload-weighted codecs, ASQ{b}w): load_vectors with default
// dataset "test", checked to have dimension d (InvalidArgument naming the file otherwise).
io::FloatMatrix load_workload(const std::string& argument, size_t d, bool normalize);
// Reads integer ids (ground truth).
io::IntMatrix load_ids(const std::string& argument, const char* default_dataset);

// Scales every non-zero row of m to unit L2 norm (zero rows stay zero).
void normalize_rows(io::FloatMatrix& m);

}  // namespace ipaq::cli
