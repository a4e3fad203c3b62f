// Layout of a durable ipaq index in RocksDB: column families and the RocksDB options they are opened
// with.
//
// Column families (the default one stays empty):
//   meta   small records, keys from store_meta.h: header (format version, dimension, metric,
//          descriptor, seed, whether raw vectors are kept), the trained index without codes (bytes of
//          ipaq::write_index), and the live vector count, rewritten in every write batch.
//   codes  row key (row_key.h) -> the vector's index code as produced by faiss::Index::sa_encode. For
//          IVF indexes that code starts with the inverted-list number (FAISS's encode_listno), so the
//          lists are rebuilt from `codes` alone and no separate `lists` family is needed.
//   raw    row key -> d float32 values (little-endian), present iff the header says raw is kept.
//
// Options: compression off everywhere (codes and float32 vectors do not compress and it costs CPU),
// paranoid checks, block checksums verified on every read, atomic flush across families (so a flush
// never persists `codes` without the matching `raw`/`meta`), WAL capped by max_total_wal_size, and WAL
// recovery mode kAbsoluteConsistency unless the caller explicitly accepts dropping a torn final record.
// Open/close cost (each reason in store_schema.cc): no flush during recovery (unless a torn tail is
// accepted) or at shutdown, obsolete files purged in the background, no table statistics read at open,
// small MANIFEST preallocation, info log at WARN with at most 4 old logs.
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

namespace ipaq::storage {

inline constexpr const char* kMetaFamily = "meta";
inline constexpr const char* kCodesFamily = "codes";
inline constexpr const char* kRawFamily = "raw";
// Order of the handles a DurableIndex keeps; index 0 is RocksDB's default family.
inline constexpr std::array<const char*, 4> kFamilyNames = {"default", kMetaFamily, kCodesFamily, kRawFamily};
enum FamilySlot : size_t { kDefaultSlot = 0, kMetaSlot = 1, kCodesSlot = 2, kRawSlot = 3 };

// Memtable size per family before a flush (RocksDB's write_buffer_size), unless OpenOptions says otherwise,
// and the range OpenOptions accepts: the WAL is capped at kMaxTotalWalBytes (a flush is forced beyond), so
// larger buffers would not give larger flushes.
inline constexpr size_t kDefaultWriteBufferBytes = size_t{64} << 20;
inline constexpr size_t kMinWriteBufferBytes = size_t{64} << 10;
inline constexpr size_t kMaxTotalWalBytes = size_t{256} << 20;
inline constexpr size_t kMaxWriteBufferBytes = kMaxTotalWalBytes;

struct SchemaOptions {
  bool create = false;              // create the database (fails if it exists)
  bool accept_torn_wal_tail = false;  // kTolerateCorruptedTailRecords instead of kAbsoluteConsistency
  rocksdb::Env* env = nullptr;      // non-owning; nullptr = rocksdb::Env::Default()
};

rocksdb::DBOptions make_db_options(const SchemaOptions& options);
// Options of one family (a name of kFamilyNames). Only `raw` has no Bloom filter: it is read only for
// ids known to be stored (rerank candidates), where a filter never saves a read, and it would cost
// 10 bits per vector of memory and its hashing on every bulk load and flush.
rocksdb::ColumnFamilyOptions make_family_options(const std::string& family,
                                                size_t write_buffer_bytes = kDefaultWriteBufferBytes);
std::vector<rocksdb::ColumnFamilyDescriptor> make_family_descriptors(
    size_t write_buffer_bytes = kDefaultWriteBufferBytes);

// Read options used for every read: checksums verified, no block-cache pollution by full scans when
// `scan` is true.
rocksdb::ReadOptions make_read_options(bool scan);

}  // namespace ipaq::storage
