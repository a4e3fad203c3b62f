#include "storage/store_schema.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

namespace ipaq::storage {

rocksdb::DBOptions make_db_options(const SchemaOptions& options) {
  rocksdb::DBOptions db;
  db.create_if_missing = options.create;
  db.error_if_exists = options.create;
  db.create_missing_column_families = options.create;
  db.paranoid_checks = true;
  db.atomic_flush = true;
  db.max_total_wal_size = 256ull << 20;
  db.wal_recovery_mode = options.accept_torn_wal_tail ? rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords
                                                      : rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  db.max_background_jobs = 2;
  // DB::Open opens every table file; a store holds few, large files (one per family per bulk load, 64 MB
  // flushes), and starting RocksDB's default 16 opener threads cost more CPU than the opening itself
  // (reopen of Fashion-MNIST: ~3 ms of ~8 ms).
  db.max_file_opening_threads = 1;
  if (options.env != nullptr) db.env = options.env;
  return db;
}

rocksdb::ColumnFamilyOptions make_family_options(const std::string& family) {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kNoCompression;
  cf.write_buffer_size = 64ull << 20;
  rocksdb::BlockBasedTableOptions table;
  table.checksum = rocksdb::kXXH3;
  table.block_size = 16 << 10;
  // add/remove look ids up in `codes`; the filter makes lookups of absent (new) ids cheap.
  if (family != kRawFamily) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

std::vector<rocksdb::ColumnFamilyDescriptor> make_family_descriptors() {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const char* name : kFamilyNames) out.emplace_back(name, make_family_options(name));
  return out;
}

rocksdb::ReadOptions make_read_options(bool scan) {
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = !scan;
  if (scan) read.readahead_size = 2 << 20;
  return read;
}

}  // namespace ipaq::storage
