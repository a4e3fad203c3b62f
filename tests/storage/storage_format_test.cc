// Byte formats of the store: row keys (big-endian, order-preserving) and meta records (tagged, versioned,
// every corruption rejected), the rocksdb::Status translation, and the table options the files get.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/table_properties.h>

#include <algorithm>
#include <string>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "storage/rocksdb_status.h"
#include "storage/row_key.h"
#include "storage/store_meta.h"
#include "storage/store_schema.h"
#include "tests/storage/storage_test_util.h"

namespace ipaq::storage {
namespace {

TEST(RowKey, RoundTripsAndSortsLikeIds) {
  const int64_t ids[] = {0, 1, 255, 256, 65535, 1ll << 40, INT64_MAX};
  std::string previous;
  for (int64_t id : ids) {
    const RowKey key = encode_row_key(id);
    EXPECT_EQ(decode_row_key(as_view(key)), id);
    const std::string bytes(key.data(), key.size());
    EXPECT_LT(previous, bytes) << "byte order must equal numeric order at id " << id;
    previous = bytes;
  }
  EXPECT_EQ(std::string(as_view(encode_row_key(0x0102030405060708ll))), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
}

TEST(RowKey, RejectsNegativeIdsAndMalformedKeys) {
  EXPECT_THROW(encode_row_key(-1), InvalidArgument);
  EXPECT_THROW(decode_row_key("1234567"), FormatError);
  EXPECT_THROW(decode_row_key("\x80\x00\x00\x00\x00\x00\x00\x00"), FormatError);  // above INT64_MAX
}

StoreHeader sample_header() {
  StoreHeader h;
  h.dim = 128;
  h.metric = 1;
  h.descriptor = "IVF64,PQ16x8";
  h.seed = 99;
  h.keep_raw = true;
  h.code_size = 17;
  return h;
}

TEST(StoreMeta, HeaderRoundTrips) {
  const StoreHeader h = decode_header(encode_header(sample_header()));
  EXPECT_EQ(h.format_version, kStoreFormatVersion);
  EXPECT_EQ(h.dim, 128u);
  EXPECT_EQ(h.metric, 1);
  EXPECT_EQ(h.descriptor, "IVF64,PQ16x8");
  EXPECT_EQ(h.seed, 99u);
  EXPECT_TRUE(h.keep_raw);
  EXPECT_EQ(h.code_size, 17u);
  EXPECT_EQ(decode_count(encode_count(123456789)), 123456789u);
}

TEST(StoreMeta, EveryTruncationAndForeignTagIsAFormatError) {
  const std::string bytes = encode_header(sample_header());
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_THROW(decode_header(bytes.substr(0, len)), FormatError) << "truncated to " << len;
  }
  EXPECT_THROW(decode_header(bytes + "x"), FormatError);
  std::string foreign = bytes;
  foreign[0] = 'X';
  EXPECT_THROW(decode_header(foreign), FormatError);
  std::string newer = bytes;
  newer[4] = static_cast<char>(kStoreFormatVersion + 1);
  EXPECT_THROW(decode_header(newer), FormatError);
  EXPECT_THROW(decode_count(encode_count(1).substr(0, 11)), FormatError);
  EXPECT_THROW(decode_count(encode_header(sample_header())), FormatError);
}

TEST(RocksdbStatus, TranslatesByKind) {
  EXPECT_NO_THROW(throw_if_error(rocksdb::Status::OK(), "op"));
  EXPECT_THROW(throw_if_error(rocksdb::Status::Corruption("bad block"), "op"), FormatError);
  try {
    throw_if_error(rocksdb::Status::NoSpace("write"), "adding to /db");
    FAIL() << "no exception";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("disk full"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("adding to /db"), std::string::npos) << e.what();
  }
  try {
    throw_if_error(rocksdb::Status::IOError("While lock file: /db/LOCK", "Resource temporarily unavailable"), "open");
    FAIL() << "no exception";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("locked"), std::string::npos) << e.what();
  }
  EXPECT_THROW(throw_if_error(rocksdb::Status::InvalidArgument("x"), "op"), StorageError);
}

// The files a bulk load (and a flush) writes: uncompressed everywhere, a Bloom filter in `codes` (id
// lookups of new ids), none in `raw` (read only for stored ids). Checked on the table properties of the
// files actually in the database.
TEST(StoreSchema, FilesHaveTheirFamilysFilterAndNoCompression) {
  testing::TempDir dir;
  {
    IndexSpec spec;
    spec.dim = 8;
    spec.descriptor = "Flat";
    auto index = DurableIndex::create(dir.sub("db"), spec);
    const std::vector<float> x = testing::gaussian_rows(0, 200, 8, 1);
    const std::vector<int64_t> ids = testing::id_range(0, 200);
    index->bulk_load(100, x.data(), ids.data());
    index->add_with_ids(100, x.data() + 100 * 8, ids.data() + 100);
    index->flush();
  }
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(make_db_options({}), dir.sub("db"), make_family_descriptors(), &handles, &db).ok());
  for (FamilySlot slot : {kCodesSlot, kRawSlot}) {
    rocksdb::TablePropertiesCollection tables;
    ASSERT_TRUE(db->GetPropertiesOfAllTables(handles[slot], &tables).ok());
    EXPECT_EQ(tables.size(), 2u) << "one ingested file and one flushed file in " << kFamilyNames[slot];
    for (const auto& [file, props] : tables) {
      EXPECT_EQ(props->compression_name, "NoCompression") << file;
      if (slot == kRawSlot) {
        EXPECT_EQ(props->filter_policy_name, "") << file;
      } else {
        EXPECT_EQ(props->filter_policy_name, "bloomfilter") << file;
      }
    }
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

}  // namespace
}  // namespace ipaq::storage
