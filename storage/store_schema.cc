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
  db.max_total_wal_size = kMaxTotalWalBytes;
  db.wal_recovery_mode = options.accept_torn_wal_tail ? rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords
                                                      : rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  db.max_background_jobs = 2;
  // DB::Open opens every table file; a store holds few, large files (one per family per bulk load, 64 MB
  // flushes), and starting RocksDB's default 16 opener threads cost more CPU than the opening itself
  // (reopen of Fashion-MNIST: ~3 ms of ~8 ms).
  db.max_file_opening_threads = 1;
  // Reopen cost (issue 5; see store_file_system.h for the OPTIONS file). None of these weakens recovery:
  // - recovered WAL records stay in the memtables (and their WAL files stay live) instead of being
  //   flushed to a new L0 file inside DB::Open: a flush is an SST write plus 3 syncs on the open path.
  //   Except when the caller accepts dropping a torn WAL tail: that recovery is flushed, so the WAL
  //   holding the torn record becomes obsolete and later opens (without the option) do not meet it again;
  // - close never flushes: every write goes through the WAL (sync_writes decides whether it is synced),
  //   so a flush at shutdown would only move data that is already durable;
  // - obsolete files (the previous MANIFEST, OPTIONS, info logs) are deleted by a background job
  //   instead of inside DB::Open (an unlink waits for the ext4 journal: 0.1-3.5 ms each here);
  // - compaction's statistics are not seeded by reading every table's properties at open;
  // - the MANIFEST (a few hundred bytes per flush or ingestion) is preallocated in 64 KiB steps, not
  //   4 MiB; old info logs (one per open) are capped at 4 instead of 1,000.
  db.avoid_flush_during_recovery = !options.accept_torn_wal_tail;
  db.avoid_flush_during_shutdown = true;
  db.avoid_unnecessary_blocking_io = true;
  db.skip_stats_update_on_db_open = true;
  db.manifest_preallocation_size = 64 << 10;
  db.keep_log_file_num = 4;
  // The info LOG keeps warnings and errors (corruption reports, write stalls, failed background jobs);
  // at INFO every open also formatted ~400 lines of option values into it (~1 ms of CPU per open).
  db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  if (options.env != nullptr) db.env = options.env;
  return db;
}

rocksdb::ColumnFamilyOptions make_family_options(const std::string& family, size_t write_buffer_bytes) {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kNoCompression;
  cf.write_buffer_size = write_buffer_bytes;
  rocksdb::BlockBasedTableOptions table;
  table.checksum = rocksdb::kXXH3;
  table.block_size = 16 << 10;
  // add/remove look ids up in `codes`; the filter makes lookups of absent (new) ids cheap.
  if (family != kRawFamily) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

std::vector<rocksdb::ColumnFamilyDescriptor> make_family_descriptors(size_t write_buffer_bytes) {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const char* name : kFamilyNames) out.emplace_back(name, make_family_options(name, write_buffer_bytes));
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
