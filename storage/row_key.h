// Row keys of the `codes` and `raw` column families: a vector id as 8 bytes, big-endian.
//
// Big-endian so that RocksDB's bytewise key order equals numeric id order (iteration yields ids sorted,
// SstFileWriter receives them in order). Valid ids are 0 <= id <= INT64_MAX (faiss::idx_t is signed;
// negative ids are FAISS's "no result" marker and are rejected with ipaq::InvalidArgument).
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ipaq::storage {

inline constexpr size_t kRowKeySize = 8;
using RowKey = std::array<char, kRowKeySize>;

// Throws InvalidArgument if id < 0.
RowKey encode_row_key(int64_t id);

// Throws FormatError unless `key` is exactly 8 bytes encoding a non-negative id.
int64_t decode_row_key(std::string_view key);

inline std::string_view as_view(const RowKey& key) { return {key.data(), key.size()}; }

}  // namespace ipaq::storage
