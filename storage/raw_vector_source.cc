#include "storage/raw_vector_source.h"

#include <cstring>
#include <vector>

#include "lib/core/error.h"
#include "storage/rocksdb_status.h"
#include "storage/row_key.h"
#include "storage/store_schema.h"

namespace ipaq::storage {

RawVectorSource::RawVectorSource(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* raw_family, size_t dim)
    : db_(db), family_(raw_family), dim_(dim) {}

void RawVectorSource::get(faiss::Index::idx_t n, const faiss::Index::idx_t* ids, float* out) const {
  IPAQ_CHECK_ARG(n >= 0, "RawVectorSource::get: n = ", n, " is negative");
  if (n == 0) return;
  std::vector<RowKey> keys(n);
  std::vector<rocksdb::Slice> slices(n);
  for (faiss::Index::idx_t i = 0; i < n; ++i) {
    keys[i] = encode_row_key(ids[i]);
    slices[i] = rocksdb::Slice(keys[i].data(), keys[i].size());
  }
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->MultiGet(make_read_options(false), family_, n, slices.data(), values.data(), statuses.data());
  const size_t row_bytes = dim_ * sizeof(float);
  for (faiss::Index::idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(!statuses[i].IsNotFound(), "RawVectorSource: no raw vector stored for id ", ids[i]);
    throw_if_error(statuses[i], "reading raw vector");
    IPAQ_CHECK_FORMAT(values[i].size() == row_bytes, "raw vector of id ", ids[i], " has ", values[i].size(),
                      " bytes, expected ", row_bytes, " (corrupted database)");
    std::memcpy(out + i * dim_, values[i].data(), row_bytes);
  }
}

}  // namespace ipaq::storage
