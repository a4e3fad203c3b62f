// A damaged, locked or full store is reported, never silently truncated. "Nothing lost" here means:
// every batch acknowledged before the damage/failure is still there after reopen (same count, same
// search results, `codes`/`raw`/meta agree), or the open fails with an error naming the problem.
#include <gtest/gtest.h>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "storage/row_key.h"
#include "storage/store_meta.h"
#include "storage/store_schema.h"
#include "tests/storage/budget_file_system.h"
#include "tests/storage/storage_test_util.h"

namespace ipaq::storage {
namespace {

namespace fs = std::filesystem;
using testing::gaussian_rows;
using testing::id_range;
using testing::TempDir;
using idx_t = faiss::Index::idx_t;

constexpr size_t kDim = 16;
constexpr size_t kBatch = 100;

IndexSpec flat_spec() { return testing::flat_l2_spec(kDim); }

// Adds batch b: ids [b * kBatch, (b + 1) * kBatch), rows regenerated from the ids.
void add_batch(DurableIndex& index, size_t b) {
  const std::vector<float> x = gaussian_rows(b * kBatch, kBatch, kDim, 42);
  const std::vector<idx_t> ids = id_range(static_cast<idx_t>(b * kBatch), kBatch);
  index.add_with_ids(kBatch, x.data(), ids.data());
}

// Every stored vector of batches [0, batches) is its own nearest neighbour.
void expect_batches(const DurableIndex& index, size_t batches) {
  ASSERT_EQ(index.size(), batches * kBatch);
  const std::vector<float> x = gaussian_rows(0, batches * kBatch, kDim, 42);
  std::vector<float> d(batches * kBatch);
  std::vector<idx_t> l(batches * kBatch);
  index.search(static_cast<idx_t>(batches * kBatch), x.data(), 1, d.data(), l.data());
  for (size_t i = 0; i < l.size(); ++i) ASSERT_EQ(l[i], static_cast<idx_t>(i));
  index.check_consistency();
}

// The on-disk image a crash would leave: every file of the open database, without its LOCK.
void copy_image(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    if (entry.path().filename() != "LOCK") fs::copy_file(entry.path(), to / entry.path().filename());
  }
}

std::vector<fs::path> files_with_extension(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ext) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void flip_byte(const fs::path& file, uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5a));
}

// Opens the store with RocksDB alone (all families), runs edit on it, closes it: damage made by hand.
template <typename Edit>
void with_raw_db(const std::string& path, Edit&& edit) {
  rocksdb::DB* raw_db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, make_family_descriptors(), &handles, &raw_db).ok());
  edit(*raw_db, handles);
  for (auto* h : handles) EXPECT_TRUE(raw_db->DestroyColumnFamilyHandle(h).ok());
  delete raw_db;
}

OpenOptions accepting_torn_tail() {
  OpenOptions o;
  o.accept_torn_wal_tail = true;
  return o;
}

TEST(DurableIndexDamage, TornWalTailIsRefusedUnlessTheCallerAcceptsDroppingIt) {
  TempDir dir;
  auto index = DurableIndex::create(dir.sub("db"), flat_spec());
  add_batch(*index, 0);
  add_batch(*index, 1);
  copy_image(dir.sub("db"), dir.sub("image"));
  const auto logs = files_with_extension(dir.sub("image"), ".log");
  ASSERT_EQ(logs.size(), 1u);
  fs::resize_file(logs[0], fs::file_size(logs[0]) - 10);  // the last write was cut short

  EXPECT_THROW(DurableIndex::open(dir.sub("image")), FormatError);
  {
    auto recovered = DurableIndex::open(dir.sub("image"), accepting_torn_tail());
    expect_batches(*recovered, 1);  // batch 1 dropped as a whole, batch 0 intact
    add_batch(*recovered, 1);       // written again, after the recovery
  }
  // Accepting once is enough: the dropped record is gone for good, so a default open succeeds later.
  auto reopened = DurableIndex::open(dir.sub("image"));
  expect_batches(*reopened, 2);
  add_batch(*index, 2);  // the original is unaffected
  expect_batches(*index, 3);
}

TEST(DurableIndexDamage, DamageInsideTheWalIsAlwaysAnError) {
  TempDir dir;
  auto index = DurableIndex::create(dir.sub("db"), flat_spec());
  for (size_t b = 0; b < 3; ++b) add_batch(*index, b);
  copy_image(dir.sub("db"), dir.sub("image"));
  const auto logs = files_with_extension(dir.sub("image"), ".log");
  ASSERT_EQ(logs.size(), 1u);
  flip_byte(logs[0], fs::file_size(logs[0]) / 3);  // inside the record of an acknowledged batch
  EXPECT_THROW(DurableIndex::open(dir.sub("image")), FormatError);
  EXPECT_THROW(DurableIndex::open(dir.sub("image"), accepting_torn_tail()), FormatError);
}

TEST(DurableIndexDamage, AFlippedByteInAnyDataFileIsAFormatError) {
  TempDir dir;
  {
    auto index = DurableIndex::create(dir.sub("db"), flat_spec());
    for (size_t b = 0; b < 3; ++b) add_batch(*index, b);
    index->flush();
  }
  const auto tables = files_with_extension(dir.sub("db"), ".sst");
  ASSERT_GE(tables.size(), 3u) << "meta, codes and raw each flushed to a table";
  for (size_t t = 0; t < tables.size(); ++t) {
    const std::string image = dir.sub("image" + std::to_string(t));
    copy_image(dir.sub("db"), image);
    const fs::path table = fs::path(image) / tables[t].filename();
    flip_byte(table, fs::file_size(table) / 4);  // inside the first data block
    // The damage surfaces at open (codes and meta are read) or at the full check (raw), never silently.
    EXPECT_THROW(DurableIndex::open(image)->check_consistency(), FormatError) << tables[t];
  }
  expect_batches(*DurableIndex::open(dir.sub("db")), 3);  // the undamaged original still opens
}

TEST(DurableIndexDamage, AMissingColumnFamilyIsNamed) {
  TempDir dir;
  {
    auto index = DurableIndex::create(dir.sub("db"), flat_spec());
    add_batch(*index, 0);
  }
  {  // Someone drops `raw` behind our back.
    rocksdb::DB* raw_db = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DBOptions options;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.sub("db"), make_family_descriptors(), &handles, &raw_db).ok());
    ASSERT_TRUE(raw_db->DropColumnFamily(handles[kRawSlot]).ok());
    for (auto* h : handles) ASSERT_TRUE(raw_db->DestroyColumnFamilyHandle(h).ok());
    delete raw_db;
  }
  try {
    DurableIndex::open(dir.sub("db"));
    FAIL() << "opened a database without its raw family";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("'raw'"), std::string::npos) << e.what();
  }
}

// A meta count that disagrees with `codes` (too small, one too many, absurdly large) is a FormatError
// naming both counts; the absurd one must not make reopen reserve memory for it (bad_alloc) first.
TEST(DurableIndexDamage, AMetaCountDisagreeingWithTheCodesIsAFormatError) {
  TempDir dir;
  {
    auto index = DurableIndex::create(dir.sub("db"), flat_spec());
    add_batch(*index, 0);
  }
  for (uint64_t wrong : {uint64_t{kBatch - 1}, uint64_t{kBatch + 1}, uint64_t{1} << 60}) {
    with_raw_db(dir.sub("db"), [&](rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
      ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), families[kMetaSlot], kCountKey, encode_count(wrong)).ok());
    });
    try {
      DurableIndex::open(dir.sub("db"));
      FAIL() << "opened a database whose meta count is " << wrong;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("meta count says " + std::to_string(wrong)), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("holds " + std::to_string(kBatch)), std::string::npos) << e.what();
    }
  }
}

// A stored IVF code whose list number is out of range (the reopen reads list numbers as it scans `codes`)
// is a FormatError naming the id, and nothing is served.
TEST(DurableIndexDamage, AnIvfCodeWithABadListNumberIsAFormatError) {
  TempDir dir;
  IndexSpec spec = flat_spec();
  spec.descriptor = "IVF4,RaBitQ1";
  {
    auto index = DurableIndex::create(dir.sub("db"), spec);
    const std::vector<float> x = gaussian_rows(0, kBatch, kDim, 42);
    index->train(kBatch, x.data());
    add_batch(*index, 0);
  }
  with_raw_db(dir.sub("db"), [](rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
    const RowKey key = encode_row_key(37);
    std::string code;
    ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), families[kCodesSlot], as_view(key), &code).ok());
    code[0] = 9;  // the list number (one byte for nlist = 4): 9 >= 4
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), families[kCodesSlot], as_view(key), code).ok());
  });
  try {
    DurableIndex::open(dir.sub("db"));
    FAIL() << "opened a store holding a code with list number 9 of 4 lists";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("code of id 37"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("list number 9 out of range [0, 4)"), std::string::npos) << e.what();
  }
}

TEST(DurableIndexDamage, ASecondOpenFailsClearlyAndTheFirstKeepsWorking) {
  TempDir dir;
  auto index = DurableIndex::create(dir.sub("db"), flat_spec());
  add_batch(*index, 0);
  EXPECT_THROW(DurableIndex::open(dir.sub("db")), StorageError) << "second open in the same process";
  // Another process: RocksDB's LOCK is an fcntl lock, held per process.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 3;
    try {
      DurableIndex::open(dir.sub("db"));
      code = 1;  // opened: the lock did not hold
    } catch (const StorageError& e) {
      code = std::string(e.what()).find("locked") != std::string::npos ? 0 : 2;
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: second process opened it; 2: unclear error; 3: other exception";
  add_batch(*index, 1);
  expect_batches(*index, 2);
}

// In a child process, opens `path` and exits 0 if that failed with a StorageError naming the lock, 1 if it
// opened, 2 for another StorageError, 3 for anything else.
int open_in_another_process(const std::string& path) {
  const pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    int code = 3;
    try {
      DurableIndex::open(path);
      code = 1;
    } catch (const StorageError& e) {
      code = std::string(e.what()).find("locked") != std::string::npos ? 0 : 2;
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// open() serves from a read-only instance until the first write, but holds the LOCK from the start:
// other opens fail before and after that write, and the write itself (which opens the database
// read-write, taking the lock over) works.
TEST(DurableIndexDamage, AReopenedStoreIsLockedBeforeItsFirstWriteAndAfterIt) {
  TempDir dir;
  const std::string path = dir.sub("db");
  {
    auto index = DurableIndex::create(path, flat_spec());
    add_batch(*index, 0);
  }
  auto index = DurableIndex::open(path);
  EXPECT_THROW(DurableIndex::open(path), StorageError) << "same process, before any write";
  EXPECT_EQ(open_in_another_process(path), 0) << "another process, before any write (1: it opened)";
  add_batch(*index, 1);
  EXPECT_THROW(DurableIndex::open(path), StorageError) << "same process, after a write";
  EXPECT_EQ(open_in_another_process(path), 0) << "another process, after a write";
  expect_batches(*index, 2);
  index.reset();
  expect_batches(*DurableIndex::open(path), 2);  // released by close
}

// A flat index in a temporary directory on a file system whose free space the test sets.
struct SmallDisk {
  TempDir dir;
  std::shared_ptr<testing::BudgetFileSystem> budget_fs =
      std::make_shared<testing::BudgetFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(budget_fs);
  OpenOptions options = [this] {
    OpenOptions o;
    o.env = env.get();
    return o;
  }();
  std::unique_ptr<DurableIndex> index = DurableIndex::create(dir.sub("db"), flat_spec(), options);
};

TEST(DurableIndexDamage, DiskFullRejectsTheWriteAndKeepsEarlierData) {
  SmallDisk disk;
  auto& [dir, budget_fs, env, options, index] = disk;
  add_batch(*index, 0);
  add_batch(*index, 1);
  budget_fs->set_budget(1000);  // less than one batch (100 rows of 16 floats + codes)
  EXPECT_THROW(add_batch(*index, 2), StorageError);
  EXPECT_EQ(index->size(), 2 * kBatch) << "memory unchanged by the rejected write";
  try {
    index->close();  // RocksDB may report the background error again on close
  } catch (const StorageError&) {
  }
  budget_fs->set_budget(-1);
  // The failed write left a partial WAL record (the bytes that fit): strict recovery refuses it, and
  // dropping that unacknowledged tail is all the caller may choose to lose.
  EXPECT_THROW(DurableIndex::open(dir.sub("db")), FormatError);
  auto reopened = DurableIndex::open(dir.sub("db"), accepting_torn_tail());
  expect_batches(*reopened, 2);
  add_batch(*reopened, 2);
  expect_batches(*reopened, 3);
}

// A bulk load that runs out of disk (while the `raw` file is written on its own thread, or any other
// file) is rejected with StorageError, one whose vectors hold a NaN (found while `raw` is already being
// written) with InvalidArgument; either leaves no scratch files, changes neither the store nor memory,
// and a later bulk load of the same rows succeeds.
TEST(DurableIndexDamage, DiskFullRejectsABulkLoadAndKeepsEarlierData) {
  SmallDisk disk;
  auto& [dir, budget_fs, env, options, index] = disk;
  add_batch(*index, 0);
  const size_t n = 5 * kBatch;
  const std::vector<float> x = gaussian_rows(kBatch, n, kDim, 42);
  const std::vector<idx_t> ids = id_range(static_cast<idx_t>(kBatch), n);
  // budget -1: a NaN in the last row, found while the raw file is being written (InvalidArgument).
  for (int64_t budget : {int64_t{-1}, int64_t{0}, int64_t{4000}, int64_t{20000}, int64_t{60000}}) {
    budget_fs->set_budget(budget);
    if (budget < 0) {
      std::vector<float> bad = x;
      bad.back() = std::nanf("");
      EXPECT_THROW(index->bulk_load(static_cast<idx_t>(n), bad.data(), ids.data()), InvalidArgument);
    } else {
      EXPECT_THROW(index->bulk_load(static_cast<idx_t>(n), x.data(), ids.data()), StorageError) << budget;
    }
    EXPECT_FALSE(fs::exists(dir.sub("db.bulk"))) << "scratch files removed";
    budget_fs->set_budget(-1);
    expect_batches(*index, 1);
    // Memory holds none of the rejected rows either: their nearest neighbours are old ids.
    std::vector<float> dist(n);
    std::vector<idx_t> labels(n);
    index->search(static_cast<idx_t>(n), x.data(), 1, dist.data(), labels.data());
    for (size_t i = 0; i < n; ++i) ASSERT_LT(labels[i], static_cast<idx_t>(kBatch)) << "row " << i << ", budget " << budget;
  }
  index->bulk_load(static_cast<idx_t>(n), x.data(), ids.data());
  expect_batches(*index, 6);
  index.reset();
  expect_batches(*DurableIndex::open(dir.sub("db"), options), 6);
}

// The first write after a reopen opens the database read-write; when that open fails (disk full while it
// writes its MANIFEST, after it took the handed-over LOCK), the write is rejected, the index keeps serving
// from what it read, the store stays locked throughout (the failed instance's unlock never reaches the
// file system: no moment in which another open could take the lock), and the next write once there is
// space succeeds.
TEST(DurableIndexDamage, DiskFullWhenAReopenedStoreStartsWritingKeepsItServingAndLocked) {
  SmallDisk disk;
  auto& [dir, budget_fs, env, options, index] = disk;
  add_batch(*index, 0);
  index.reset();
  const int locks = budget_fs->lock_calls(), unlocks = budget_fs->unlock_calls();
  index = DurableIndex::open(dir.sub("db"), options);
  EXPECT_EQ(budget_fs->lock_calls(), locks + 1) << "open() takes the LOCK";
  budget_fs->set_budget(0);
  EXPECT_THROW(add_batch(*index, 1), StorageError);
  EXPECT_EQ(budget_fs->unlock_calls(), unlocks) << "the failed DB::Open's unlock reached the file system";
  EXPECT_EQ(budget_fs->lock_calls(), locks + 1) << "the lock was taken again instead of kept";
  expect_batches(*index, 1);
  EXPECT_THROW(DurableIndex::open(dir.sub("db"), options), StorageError) << "still locked";
  EXPECT_EQ(open_in_another_process(dir.sub("db")), 0) << "still locked for another process";
  budget_fs->set_budget(-1);
  add_batch(*index, 1);
  expect_batches(*index, 2);
  index.reset();
  EXPECT_EQ(budget_fs->unlock_calls(), unlocks + 1) << "close() releases the lock once";
  expect_batches(*DurableIndex::open(dir.sub("db"), options), 2);
}

}  // namespace
}  // namespace ipaq::storage
