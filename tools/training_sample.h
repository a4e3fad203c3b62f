// The training set of `ipaq eval` and `ipaq build`: all base rows, or a seeded sample without
// replacement (partial Fisher–Yates, rows kept in file order), so the same seed gives the same index.
// Returns an empty vector when every row is used (train on the base matrix itself, no copy).
// Shapes: base n x d; the sample is train_size x d floats. Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "lib/io/vector_file.h"

namespace ipaq::cli {

// train_size 0 or >= n means all rows.
std::vector<float> training_sample(const io::FloatMatrix& base, size_t train_size, uint64_t seed);

}  // namespace ipaq::cli
