#include "storage/row_key.h"

#include "lib/core/error.h"

namespace ipaq::storage {

RowKey encode_row_key(int64_t id) {
  IPAQ_CHECK_ARG(id >= 0, "vector id ", id, " is out of range (ids must be >= 0)");
  const auto u = static_cast<uint64_t>(id);
  RowKey key;
  for (size_t i = 0; i < kRowKeySize; ++i) key[i] = static_cast<char>(u >> (8 * (kRowKeySize - 1 - i)));
  return key;
}

int64_t decode_row_key(std::string_view key) {
  IPAQ_CHECK_FORMAT(key.size() == kRowKeySize, "row key of ", key.size(), " bytes, expected ", kRowKeySize,
                    " (foreign or corrupted database)");
  uint64_t u = 0;
  for (char c : key) u = (u << 8) | static_cast<uint8_t>(c);
  IPAQ_CHECK_FORMAT(u <= static_cast<uint64_t>(INT64_MAX), "row key encodes id ", u,
                    " above INT64_MAX (corrupted database)");
  return static_cast<int64_t>(u);
}

}  // namespace ipaq::storage
