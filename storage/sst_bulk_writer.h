// Bulk-load files: rows written as sorted SST files (rocksdb::SstFileWriter), one per column family,
// ready for ONE atomic DB::IngestExternalFiles call (all families become visible together or not at all).
//
// BulkRows: n rows; ids[i] >= 0 unique; codes: n * code_size bytes; raw: n * dim floats or null (no
// `raw` file). Row order is free: rows are written in increasing id order, through an argsort when the
// ids are not already increasing (no copy of the data). The meta file holds only the new "count" record.
// The three files are written by separate calls so that a caller can write `raw` (which needs no
// encoding) while it is still encoding the codes; they share one BulkOrder.
// Files are created in `dir` (must exist, be empty of other bulk files and lie on the database's file
// system); ingestion arguments use move_files (hard links); block checksums are verified on every later read.
// Errors: RocksDB failures translated by rocksdb_status.h (e.g. disk full → StorageError).
// Thread-safety: the write_* functions may run concurrently on distinct files (each is a pure function
// of its arguments writing one fresh file).
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

// The order rows are written in: increasing id. Empty (identity) when `ids_increasing`, which the caller
// knows from validating the ids (DurableIndex::check_rows finds it in its uniqueness pass), so the ids are
// not scanned a second time here; otherwise an argsort of the ids.
using BulkOrder = std::vector<size_t>;
BulkOrder bulk_order(const BulkRows& rows, bool ids_increasing);

// One file each: `codes` (rows.codes), `raw` (rows.raw, must be non-null), `meta` (the count).
rocksdb::IngestExternalFileArg write_bulk_codes_sst(const std::string& dir, const BulkRows& rows,
                                                    const BulkOrder& order, rocksdb::ColumnFamilyHandle* codes,
                                                    const rocksdb::Options& options);
rocksdb::IngestExternalFileArg write_bulk_raw_sst(const std::string& dir, const BulkRows& rows, const BulkOrder& order,
                                                  rocksdb::ColumnFamilyHandle* raw, const rocksdb::Options& options);
rocksdb::IngestExternalFileArg write_bulk_meta_sst(const std::string& dir, const BulkRows& rows,
                                                   rocksdb::ColumnFamilyHandle* meta, const rocksdb::Options& options);

}  // namespace ipaq::storage
