// Bulk-load files: rows written as sorted SST files (rocksdb::SstFileWriter), one per column family,
// ready for ONE atomic DB::IngestExternalFiles call (all families become visible together or not at all).
//
// BulkRows: n rows; ids[i] >= 0 unique; codes: n * code_size bytes; raw: n * dim floats or null (no
// `raw` file). Row order is free: rows are written in increasing id order through an argsort (no copy of
// the data). The meta file holds only the new "count" record.
// Files are created in `dir` (must exist, be empty of other bulk files and lie on the database's file
// system); ingestion arguments use move_files (hard links); block checksums are verified on every later read.
// Errors: RocksDB failures translated by rocksdb_status.h (e.g. disk full → StorageError).
// Thread-safety: none needed (pure function of its arguments writing fresh files).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rocksdb/db.h>

namespace ipaq::storage {

struct BulkRows {
  size_t n = 0;
  const int64_t* ids = nullptr;
  const uint8_t* codes = nullptr;
  size_t code_size = 0;
  const float* raw = nullptr;
  size_t dim = 0;
  uint64_t new_count = 0;  // live vectors after ingestion, stored in meta "count"
};

// families: handles indexed by FamilySlot (store_schema.h).
std::vector<rocksdb::IngestExternalFileArg> write_bulk_sst_files(
    const std::string& dir, const BulkRows& rows, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
    const rocksdb::Options& options);

}  // namespace ipaq::storage
