// Records of the `meta` column family and their byte encoding (lib/core/byte_stream.h: little-endian,
// bounds-checked, tagged and versioned).
//
//   key "header"         StoreHeader, written once when the database is created.
//   key "trained_index"  bytes of ipaq::write_index() of the trained index holding no vectors; written at
//                        creation if the index needs no training, else by DurableIndex::train().
//   key "count"          uint64 number of live vectors; rewritten in the same WriteBatch as every change to
//                        `codes`/`raw`, so it always equals the number of keys in `codes` (and in `raw`).
// Decoding throws ipaq::FormatError on a wrong tag, an unsupported version, truncation or trailing bytes.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ipaq::storage {

inline constexpr const char* kHeaderKey = "header";
inline constexpr const char* kTrainedIndexKey = "trained_index";
inline constexpr const char* kCountKey = "count";

inline constexpr uint32_t kStoreFormatVersion = 1;

struct StoreHeader {
  uint32_t format_version = kStoreFormatVersion;
  uint64_t dim = 0;
  int32_t metric = 0;        // faiss::MetricType value
  std::string descriptor;    // index factory string, e.g. "IVF256,RBQ1" or "PQ98x8"
  uint64_t seed = 0;         // seed the index was created with (rotations, stochastic rounding)
  bool keep_raw = false;     // whether the `raw` family holds the float32 vectors
  uint64_t code_size = 0;    // bytes of one sa_encode code; checked against the index on reopen
};

std::string encode_header(const StoreHeader& header);
StoreHeader decode_header(std::string_view bytes);

std::string encode_count(uint64_t count);
uint64_t decode_count(std::string_view bytes);

}  // namespace ipaq::storage
