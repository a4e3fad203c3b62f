// RawVectorSource: the exact vectors of a durable index, read from its `raw` column family, as an
// ipaq::VectorSource for the rerank stage (index/rerank.h).
//
// get(n, ids, out): one RocksDB MultiGet of the n row keys; row i of out (n * dim() floats) = vector of
// ids[i]. An id with no stored vector → ipaq::InvalidArgument; a value that is not dim() float32 values →
// ipaq::FormatError; a RocksDB failure (incl. checksum mismatch) → translated by rocksdb_status.h.
// Ownership: borrows the DB and the family handle (the owning DurableIndex outlives it).
// Thread-safety: get() is safe concurrently with other reads; DurableIndex holds its shared lock across
// a search so no write interleaves with one search's reads.
#pragma once

#include <rocksdb/db.h>

#include "index/rerank.h"

namespace ipaq::storage {

class RawVectorSource : public VectorSource {
 public:
  RawVectorSource(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* raw_family, size_t dim);
  size_t dim() const override { return dim_; }
  void get(faiss::Index::idx_t n, const faiss::Index::idx_t* ids, float* out) const override;

 private:
  rocksdb::DB* db_;                       // not owned
  rocksdb::ColumnFamilyHandle* family_;   // not owned
  size_t dim_;
};

}  // namespace ipaq::storage
