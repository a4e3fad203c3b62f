#include "storage/sst_bulk_writer.h"

#include <algorithm>
#include <numeric>

#include <rocksdb/sst_file_writer.h>

#include "storage/rocksdb_status.h"
#include "storage/row_key.h"
#include "storage/store_meta.h"
#include "storage/store_schema.h"

namespace ipaq::storage {

namespace {

// Writes the (key, value) pairs `emit` produces (in increasing key order) into one SST file and returns
// its ingestion argument.
template <typename EmitRows>
rocksdb::IngestExternalFileArg write_sst(const std::string& file, rocksdb::ColumnFamilyHandle* family,
                                         const rocksdb::Options& options, EmitRows emit) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, family);
  throw_if_error(writer.Open(file), "bulk load: creating " + file);
  emit([&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    throw_if_error(writer.Put(key, value), "bulk load: writing " + file);
  });
  throw_if_error(writer.Finish(), "bulk load: finishing " + file);
  rocksdb::IngestExternalFileArg arg;
  arg.column_family = family;
  arg.external_files = {file};
  arg.options.move_files = true;
  // The files were just written and checksummed by SstFileWriter; re-reading them before ingestion would
  // double the I/O. Every later read verifies block checksums.
  arg.options.verify_checksums_before_ingest = false;
  return arg;
}

// Emits one row per id in increasing id order; value_of(i) is the value of row i.
template <typename ValueOf>
auto rows_in_id_order(const BulkRows& rows, const BulkOrder& order, ValueOf value_of) {
  return [&rows, &order, value_of](auto put) {
    for (size_t r = 0; r < rows.n; ++r) {
      const size_t i = order.empty() ? r : order[r];
      const RowKey key = encode_row_key(rows.ids[i]);
      put(rocksdb::Slice(key.data(), key.size()), value_of(i));
    }
  };
}

}  // namespace

BulkOrder bulk_order(const BulkRows& rows, bool ids_increasing) {
  if (ids_increasing) return {};
  BulkOrder order(rows.n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows.ids[a] < rows.ids[b]; });
  return order;
}

rocksdb::IngestExternalFileArg write_bulk_codes_sst(const std::string& dir, const BulkRows& rows,
                                                    const BulkOrder& order, rocksdb::ColumnFamilyHandle* codes,
                                                    const rocksdb::Options& options) {
  return write_sst(dir + "/codes.sst", codes, options, rows_in_id_order(rows, order, [&rows](size_t i) {
                     return rocksdb::Slice(reinterpret_cast<const char*>(rows.codes + i * rows.code_size),
                                           rows.code_size);
                   }));
}

rocksdb::IngestExternalFileArg write_bulk_raw_sst(const std::string& dir, const BulkRows& rows, const BulkOrder& order,
                                                  rocksdb::ColumnFamilyHandle* raw, const rocksdb::Options& options) {
  return write_sst(dir + "/raw.sst", raw, options, rows_in_id_order(rows, order, [&rows](size_t i) {
                     return rocksdb::Slice(reinterpret_cast<const char*>(rows.raw + i * rows.dim),
                                           rows.dim * sizeof(float));
                   }));
}

rocksdb::IngestExternalFileArg write_bulk_meta_sst(const std::string& dir, const BulkRows& rows,
                                                   rocksdb::ColumnFamilyHandle* meta, const rocksdb::Options& options) {
  return write_sst(dir + "/meta.sst", meta, options, [&rows](auto put) {
    put(rocksdb::Slice(kCountKey), rocksdb::Slice(encode_count(rows.new_count)));
  });
}

}  // namespace ipaq::storage
