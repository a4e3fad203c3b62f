// What a reopen does to the files of a store (store_file_system.h, store_schema.cc, DurableIndex::open
// and close): a reopen that only reads changes no file at all; the first write opens the database
// read-write, where only the OPTIONS file loses its syncs (MANIFEST, CURRENT and their directory entries
// keep theirs, seen through a counting FileSystem under the store's wrapper); a store opens identically
// without any OPTIONS file; and many reopens of a store that never flushes leave a bounded number of WAL
// files and info logs with every vector still there.
#include <gtest/gtest.h>

#include <rocksdb/db.h>
#include <rocksdb/file_system.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "storage/store_file_system.h"
#include "storage/store_schema.h"
#include "tests/storage/storage_test_util.h"

namespace ipaq::storage {
namespace {

namespace fs = std::filesystem;
using idx_t = faiss::Index::idx_t;

constexpr size_t kDim = 16;
constexpr size_t kRows = 500;

// Counts, per kind of RocksDB file, the syncs that reach the real file system: Sync/Fsync of writable
// files (by file name prefix) and directory fsyncs after a rename (by the renamed file's prefix).
class CountingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit CountingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  const char* Name() const override { return "CountingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<File>(std::move(*result), this, kind(name));
    return s;
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<Directory>(std::move(*result), this);
    return s;
  }

  // "OPTIONS", "MANIFEST", "CURRENT" (its temporary file is a numbered .dbtmp), "log" (WAL), "sst", ...
  static std::string kind(const std::string& path) {
    const std::string name = fs::path(path).filename().string();
    for (const char* prefix : {"OPTIONS", "MANIFEST", "CURRENT"}) {
      if (name.rfind(prefix, 0) == 0) return prefix;
    }
    if (name.size() > 6 && name.substr(name.size() - 6) == ".dbtmp") return "CURRENT";  // 000012.dbtmp
    return fs::path(name).extension().string();
  }
  int file_syncs(const std::string& kind) {
    std::lock_guard lock(mutex_);
    return file_syncs_[kind];
  }
  int rename_dir_syncs(const std::string& kind) {
    std::lock_guard lock(mutex_);
    return rename_dir_syncs_[kind];
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile>&& f, CountingFileSystem* owner, std::string kind)
        : FSWritableFileOwnerWrapper(std::move(f)), owner_(owner), kind_(std::move(kind)) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      owner_->count(owner_->file_syncs_, kind_);
      return FSWritableFileOwnerWrapper::Sync(o, d);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      owner_->count(owner_->file_syncs_, kind_);
      return FSWritableFileOwnerWrapper::Fsync(o, d);
    }

   private:
    CountingFileSystem* owner_;
    std::string kind_;
  };
  class Directory : public rocksdb::FSDirectoryWrapper {
   public:
    Directory(std::unique_ptr<rocksdb::FSDirectory>&& d, CountingFileSystem* owner)
        : FSDirectoryWrapper(std::move(d)), owner_(owner) {}
    rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d,
                                          const rocksdb::DirFsyncOptions& dir_options) override {
      if (dir_options.reason == rocksdb::DirFsyncOptions::kFileRenamed) {
        owner_->count(owner_->rename_dir_syncs_, kind(dir_options.renamed_new_name));
      }
      return FSDirectoryWrapper::FsyncWithDirOptions(o, d, dir_options);
    }

   private:
    CountingFileSystem* owner_;
  };
  void count(std::map<std::string, int>& counts, const std::string& kind) {
    std::lock_guard lock(mutex_);
    ++counts[kind];
  }

  std::mutex mutex_;
  std::map<std::string, int> file_syncs_, rename_dir_syncs_;
};

IndexSpec flat_spec() { return testing::flat_l2_spec(kDim); }

// A bulk-loaded store of kRows vectors (ids 0..kRows-1): nothing in its memtables, no flush ever.
void make_store(const std::string& path, const OpenOptions& options = {}) {
  auto index = DurableIndex::create(path, flat_spec(), options);
  const std::vector<float> x = testing::gaussian_rows(0, kRows, kDim, 5);
  const std::vector<idx_t> ids = testing::id_range(0, kRows);
  index->bulk_load(kRows, x.data(), ids.data());
}

// Every stored vector is its own nearest neighbour, and the families agree.
void expect_all_rows(const DurableIndex& index) {
  ASSERT_EQ(index.size(), kRows);
  const std::vector<float> x = testing::gaussian_rows(0, kRows, kDim, 5);
  std::vector<float> d(kRows);
  std::vector<idx_t> l(kRows);
  index.search(kRows, x.data(), 1, d.data(), l.data());
  for (size_t i = 0; i < kRows; ++i) ASSERT_EQ(l[i], static_cast<idx_t>(i));
  index.check_consistency();
}

size_t files_matching(const std::string& dir, const std::string& kind) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += CountingFileSystem::kind(entry.path().string()) == kind;
  return n;
}

TEST(StoreFileSystem, RecognisesOnlyOptionsFiles) {
  EXPECT_TRUE(is_options_file("OPTIONS-000012"));
  EXPECT_TRUE(is_options_file("/a/db/OPTIONS-000013.dbtmp"));
  EXPECT_FALSE(is_options_file("/a/OPTIONS-dir/MANIFEST-000012"));
  EXPECT_FALSE(is_options_file("/a/db/CURRENT"));
  EXPECT_FALSE(is_options_file("/a/db/000012.dbtmp"));
  EXPECT_FALSE(is_options_file("/a/db/000012.log"));
}

// Name, size and modification time of every file in a directory.
std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> directory_image(const std::string& dir) {
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    out[entry.path().filename().string()] = {entry.is_regular_file() ? entry.file_size() : 0, entry.last_write_time()};
  }
  return out;
}

TEST(StoreFileSystem, AReopenWritesNothingAndItsFirstWriteSyncsManifestAndCurrentButNotTheOptionsFile) {
  testing::TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path);
  auto counting = std::make_shared<CountingFileSystem>(rocksdb::FileSystem::Default());
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(counting);
  OpenOptions options;
  options.env = env.get();
  const auto before = directory_image(path);
  {
    auto index = DurableIndex::open(path, options);
    expect_all_rows(*index);
    SearchOptions rerank;  // reads `raw` through the instance the index serves from
    rerank.rerank_factor = 2;
    const std::vector<float> x = testing::gaussian_rows(0, kRows, kDim, 5);
    std::vector<float> d(kRows);
    std::vector<idx_t> l(kRows);
    index->search(kRows, x.data(), 1, d.data(), l.data(), rerank);
    for (size_t i = 0; i < kRows; ++i) ASSERT_EQ(l[i], static_cast<idx_t>(i));
    ASSERT_NE(index->trained_index_copy(), nullptr);
  }
  // Opened, searched, checked and closed without a write: not a byte changed, no file added or removed
  // (not even an info log), nothing synced.
  EXPECT_EQ(directory_image(path), before);
  for (const char* kind : {"MANIFEST", "CURRENT", "OPTIONS", ".log", ".sst"}) {
    EXPECT_EQ(counting->file_syncs(kind), 0) << kind;
    EXPECT_EQ(counting->rename_dir_syncs(kind), 0) << kind;
  }
  {
    auto index = DurableIndex::open(path, options);
    const std::vector<float> x = testing::gaussian_rows(kRows, 1, kDim, 5);
    const idx_t id = kRows;
    index->add_with_ids(1, x.data(), &id);  // the first write opens the database read-write
    index->remove(1, &id);
    expect_all_rows(*index);
  }
  // The counting file system sits below the store's wrapper: it sees exactly the syncs that reach disk.
  EXPECT_GE(counting->file_syncs("MANIFEST"), 1);
  EXPECT_GE(counting->file_syncs("CURRENT"), 1);
  EXPECT_GE(counting->rename_dir_syncs("CURRENT"), 1);
  EXPECT_GE(counting->file_syncs(".log"), 2) << "each write synced (sync_writes)";
  EXPECT_EQ(counting->file_syncs("OPTIONS"), 0);
  EXPECT_EQ(counting->rename_dir_syncs("OPTIONS"), 0);
  EXPECT_EQ(files_matching(path, "OPTIONS"), 2u) << "the OPTIONS files are still written (for tools)";
  // Without the wrapper (plain RocksDB on the same counting file system) the OPTIONS file is synced:
  // the counter does see such syncs, so the zero above is the wrapper's doing.
  rocksdb::DBOptions plain = make_db_options({});
  plain.env = env.get();
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ASSERT_TRUE(rocksdb::DB::Open(plain, path, make_family_descriptors(), &handles, &db).ok());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  EXPECT_GE(counting->file_syncs("OPTIONS"), 1);
}

// Rejected writes, writes of 0 rows and a flush after a reopen neither open the database read-write nor
// change any file (an argument error stays InvalidArgument, whatever the disk); prepare_for_writes does
// open it read-write (the image changes), and the rejected calls left the index fully usable.
TEST(StoreFileSystem, RejectedAndEmptyWritesAfterAReopenChangeNoFile) {
  testing::TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path);
  const auto before = directory_image(path);
  const std::vector<float> x = testing::gaussian_rows(kRows, 2, kDim, 5);
  std::vector<float> nan_row = x;
  nan_row[3] = std::nanf("");
  const idx_t fresh[2] = {kRows, kRows + 1}, stored_id[1] = {7}, twice[2] = {kRows, kRows}, missing[1] = {kRows};
  {
    auto index = DurableIndex::open(path);
    EXPECT_THROW(index->add_with_ids(2, nan_row.data(), fresh), ipaq::InvalidArgument);
    EXPECT_THROW(index->add_with_ids(1, x.data(), stored_id), ipaq::InvalidArgument) << "already stored";
    EXPECT_THROW(index->add_with_ids(2, x.data(), twice), ipaq::InvalidArgument);
    EXPECT_THROW(index->add_with_ids(-1, x.data(), fresh), ipaq::InvalidArgument);
    EXPECT_THROW(index->upsert(2, nan_row.data(), fresh), ipaq::InvalidArgument);
    EXPECT_THROW(index->remove(1, missing), ipaq::InvalidArgument);
    EXPECT_THROW(index->bulk_load(2, x.data(), stored_id), ipaq::InvalidArgument);
    EXPECT_THROW(index->bulk_load(2, nullptr, fresh), ipaq::InvalidArgument);
    EXPECT_THROW(index->bulk_load(2, nan_row.data(), fresh), ipaq::InvalidArgument);  // checked before opening
    std::vector<float> huge_row = x;
    huge_row[kDim + 1] = 3e38f;  // finite, but its squared norm overflows float32
    EXPECT_THROW(index->bulk_load(2, huge_row.data(), fresh), ipaq::InvalidArgument);
    EXPECT_THROW(index->train(2, x.data(), 0, nullptr), ipaq::StateError) << "already trained";
    index->add_with_ids(0, nullptr, nullptr);
    index->upsert(0, nullptr, nullptr);
    index->remove(0, nullptr);
    index->bulk_load(0, nullptr, nullptr);
    index->flush();
    expect_all_rows(*index);
  }
  EXPECT_EQ(directory_image(path), before);
  {
    auto index = DurableIndex::open(path);
    index->prepare_for_writes();
    index->prepare_for_writes();  // once is enough
    expect_all_rows(*index);
  }
  EXPECT_NE(directory_image(path), before) << "prepare_for_writes opened the database read-write";
}

TEST(StoreFileSystem, AStoreOpensTheSameWithoutAnyOptionsFile) {
  testing::TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path);
  for (const auto& entry : fs::directory_iterator(path)) {
    if (is_options_file(entry.path().string())) fs::remove(entry.path());
  }
  ASSERT_EQ(files_matching(path, "OPTIONS"), 0u);
  auto index = DurableIndex::open(path);
  expect_all_rows(*index);
}

TEST(DurableIndexReopen, ManyReopensKeepWalFilesAndInfoLogsBounded) {
  testing::TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path);
  size_t most_wal_files = 0;
  for (int reopen = 0; reopen < 20; ++reopen) {
    auto index = DurableIndex::open(path);
    expect_all_rows(*index);
    if (reopen == 10) {  // a write in between: lands in a WAL, recovered (not flushed) by later opens
      const std::vector<float> x = testing::gaussian_rows(kRows, 1, kDim, 5);
      const idx_t id = kRows;
      index->add_with_ids(1, x.data(), &id);
      index->remove(1, &id);
    }
    index.reset();
    most_wal_files = std::max(most_wal_files, files_matching(path, ".log"));
  }
  // close() flushes once more than 8 WAL files exist, which lets RocksDB delete the obsolete ones
  // (before, each of the 20 opens left one more); info logs are capped at 4 old + the current one.
  EXPECT_LE(most_wal_files, 9u);
  EXPECT_LE(files_matching(path, ".log"), 9u);
  size_t info_logs = 0;
  for (const auto& entry : fs::directory_iterator(path)) info_logs += entry.path().filename().string().rfind("LOG", 0) == 0;
  EXPECT_LE(info_logs, 5u);
  auto index = DurableIndex::open(path);
  expect_all_rows(*index);
}

// Holds one file-system call once armed, until released (at most 30 s, so a failing test cannot hang):
// the creation of a MANIFEST (the first read-write open of a reopened store), a read of a table file
// (a point lookup of stored rows; armed after the open, whose scan has read every block already), an
// append to a WAL file (a write batch) or the creation of a file in bulk_load's scratch folder.
class BlockingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  enum class Call { kManifestCreation, kTableRead, kWalAppend, kBulkFileCreation };

  explicit BlockingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  const char* Name() const override { return "BlockingFileSystem"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (fs::path(name).filename().string().rfind("MANIFEST", 0) == 0) hold(Call::kManifestCreation);
    if (fs::path(name).parent_path().extension() == ".bulk") hold(Call::kBulkFileCreation);
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok() && fs::path(name).extension() == ".log") {
      *result = std::make_unique<HeldWal>(std::move(*result), *this);
    }
    return status;
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& name, const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewRandomAccessFile(name, options, result, dbg);
    if (status.ok() && fs::path(name).extension() == ".sst") {
      *result = std::make_unique<HeldTable>(std::move(*result), *this);
    }
    return status;
  }
  void arm(Call call) {
    std::lock_guard lock(mutex_);
    armed_ = true;
    call_ = call;
  }
  bool wait_entered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] { return entered_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  class HeldTable : public rocksdb::FSRandomAccessFileOwnerWrapper {
   public:
    HeldTable(std::unique_ptr<rocksdb::FSRandomAccessFile> file, BlockingFileSystem& fs)
        : FSRandomAccessFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions& options, rocksdb::Slice* result,
                           char* scratch, rocksdb::IODebugContext* dbg) const override {
      fs_.hold(Call::kTableRead);
      return target()->Read(offset, n, options, result, scratch, dbg);
    }
    rocksdb::IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
      fs_.hold(Call::kTableRead);
      return target()->MultiRead(reqs, num_reqs, options, dbg);
    }

   private:
    BlockingFileSystem& fs_;
  };
  class HeldWal : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    HeldWal(std::unique_ptr<rocksdb::FSWritableFile> file, BlockingFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      fs_.hold(Call::kWalAppend);
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
      fs_.hold(Call::kWalAppend);
      return target()->Append(data, options, info, dbg);
    }

   private:
    BlockingFileSystem& fs_;
  };

  void hold(Call call) {
    std::unique_lock lock(mutex_);
    if (!armed_ || call != call_) return;
    armed_ = false;
    entered_ = true;
    changed_.notify_all();
    changed_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false, entered_ = false, released_ = false;
  Call call_ = Call::kManifestCreation;
};

// A store of kRows rows (make_store) opened through a BlockingFileSystem.
struct HeldStore {
  HeldStore() {
    make_store(path);
    OpenOptions options;
    options.env = env.get();
    index = DurableIndex::open(path, options);
  }
  // Runs `write` on a thread with `call` armed and, once the write is held there, `search` on another;
  // true if the search finished within 10 s while the write was held. Then lets the write finish.
  bool search_runs_while_held(BlockingFileSystem::Call call, const std::function<void()>& write,
                              const std::function<void()>& search) {
    blocking->arm(call);
    std::thread writer(write);
    entered = blocking->wait_entered();
    auto searched = std::async(std::launch::async, search);
    const bool in_time = searched.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    blocking->release();
    writer.join();
    searched.get();
    return in_time;
  }

  testing::TempDir dir;
  const std::string path = dir.sub("db");
  const std::shared_ptr<BlockingFileSystem> blocking =
      std::make_shared<BlockingFileSystem>(rocksdb::FileSystem::Default());
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(blocking);
  std::unique_ptr<DurableIndex> index;
  bool entered = false;  // the write reached the held call
};

// Review finding 6: while a first write's read-write open is under way (held inside its MANIFEST by the
// file system), searches are not blocked: one completes before the open is let go (it waited for the
// whole open before, under the exclusive lock: this test then times out its search). Then the write
// completes and its row is found.
TEST(DurableIndexReopen, SearchesRunWhileTheFirstWriteOpensTheDatabaseReadWrite) {
  HeldStore store;
  DurableIndex& index = *store.index;
  const std::vector<float> added = testing::gaussian_rows(kRows, 1, kDim, 5);
  const idx_t added_id = kRows;
  const std::vector<float> x = testing::gaussian_rows(0, kRows, kDim, 5);
  std::vector<float> d(kRows);
  std::vector<idx_t> l(kRows, -1);
  EXPECT_TRUE(store.search_runs_while_held(
      BlockingFileSystem::Call::kManifestCreation, [&] { index.add_with_ids(1, added.data(), &added_id); },
      [&] { index.search(kRows, x.data(), 1, d.data(), l.data()); }))
      << "a search waited for the first write's read-write open";
  EXPECT_TRUE(store.entered) << "the first write did not open the database read-write";
  for (size_t i = 0; i < kRows; ++i) ASSERT_EQ(l[i], static_cast<idx_t>(i));
  ASSERT_EQ(index.size(), kRows + 1);
  float d1 = 0;
  idx_t l1 = -1;
  index.search(1, added.data(), 1, &d1, &l1);
  EXPECT_EQ(l1, added_id);
  index.close();
  auto reopened = DurableIndex::open(store.path);
  EXPECT_EQ(reopened->size(), kRows + 1);
  reopened->check_consistency();
}

// A write looks its ids up in the store and encodes its vectors before it takes the exclusive lock:
// while an upsert's lookup is held inside a table read, a search completes (it waited for the whole
// lookup and encoding before, under the exclusive lock: this test then times out its search). Then the
// upsert completes: the id holds the new vector, the count is unchanged.
TEST(DurableIndexReopen, SearchesRunWhileAWriteLooksUpAndEncodesItsRows) {
  HeldStore store;
  DurableIndex& index = *store.index;
  index.prepare_for_writes();  // the read-write open is not what this test holds
  const std::vector<float> replacement = testing::gaussian_rows(kRows, 1, kDim, 6);
  const idx_t replaced_id = 3;
  const std::vector<float> x = testing::gaussian_rows(0, kRows, kDim, 5);
  std::vector<float> d(kRows);
  std::vector<idx_t> l(kRows, -1);
  EXPECT_TRUE(store.search_runs_while_held(
      BlockingFileSystem::Call::kTableRead, [&] { index.upsert(1, replacement.data(), &replaced_id); },
      [&] { index.search(kRows, x.data(), 1, d.data(), l.data()); }))
      << "a search waited for a write's lookup";
  EXPECT_TRUE(store.entered) << "the upsert read no table file";
  ASSERT_EQ(index.size(), kRows);
  float d1 = 0;
  idx_t l1 = -1;
  index.search(1, replacement.data(), 1, &d1, &l1);
  EXPECT_EQ(l1, replaced_id);
  index.check_consistency();
}

// add_with_ids writes its new rows beside searches (no search reads them from the store before they are
// in memory): while its WriteBatch is held inside the WAL append, a search completes and does not find
// the row; then the add completes and the row is found, in memory and in the store.
TEST(DurableIndexReopen, SearchesRunWhileAnAddWritesItsRows) {
  HeldStore store;
  DurableIndex& index = *store.index;
  index.prepare_for_writes();
  const std::vector<float> added = testing::gaussian_rows(kRows, 1, kDim, 5);
  const idx_t added_id = kRows;
  float d1 = 0;
  idx_t l1 = -1;
  const bool in_time = store.search_runs_while_held(
      BlockingFileSystem::Call::kWalAppend, [&] { index.add_with_ids(1, added.data(), &added_id); },
      [&] { index.search(1, added.data(), 1, &d1, &l1); });
  EXPECT_TRUE(in_time) << "a search waited for an add's store write";
  EXPECT_TRUE(store.entered) << "the add appended nothing to the WAL";
  if (in_time) {
    EXPECT_NE(l1, added_id) << "a search saw the row before memory had it";
  }
  ASSERT_EQ(index.size(), kRows + 1);
  index.search(1, added.data(), 1, &d1, &l1);
  EXPECT_EQ(l1, added_id);
  index.check_consistency();
  index.close();
  auto reopened = DurableIndex::open(store.path);
  EXPECT_EQ(reopened->size(), kRows + 1);
  reopened->check_consistency();
}

// bulk_load encodes, writes its files and ingests them beside searches (its rows are new): while the
// creation of its first scratch file is held, a search completes and does not find the loaded rows (it
// waited for the whole load before, under the exclusive lock: this test then times out its search). Then
// the load completes and every row is found, in memory and in the store.
TEST(DurableIndexReopen, SearchesRunWhileABulkLoadWritesAndIngestsItsFiles) {
  HeldStore store;
  DurableIndex& index = *store.index;
  index.prepare_for_writes();
  constexpr size_t kLoaded = 50;
  const std::vector<float> loaded = testing::gaussian_rows(kRows, kLoaded, kDim, 5);
  const std::vector<idx_t> loaded_ids = testing::id_range(static_cast<int64_t>(kRows), kLoaded);
  float d1 = 0;
  idx_t l1 = -1;
  const bool in_time = store.search_runs_while_held(
      BlockingFileSystem::Call::kBulkFileCreation,
      [&] { index.bulk_load(kLoaded, loaded.data(), loaded_ids.data()); },
      [&] { index.search(1, loaded.data(), 1, &d1, &l1); });
  EXPECT_TRUE(in_time) << "a search waited for a bulk load's files";
  EXPECT_TRUE(store.entered) << "the bulk load created no scratch file";
  if (in_time) {
    EXPECT_LT(l1, static_cast<idx_t>(kRows)) << "a search saw a loaded row before memory had it";
  }
  ASSERT_EQ(index.size(), kRows + kLoaded);
  std::vector<float> d(kLoaded);
  std::vector<idx_t> l(kLoaded, -1);
  index.search(kLoaded, loaded.data(), 1, d.data(), l.data());
  for (size_t i = 0; i < kLoaded; ++i) EXPECT_EQ(l[i], loaded_ids[i]);
  index.check_consistency();
  index.close();
  auto reopened = DurableIndex::open(store.path);
  EXPECT_EQ(reopened->size(), kRows + kLoaded);
  reopened->check_consistency();
}

// The first write after a reopen opens the store read-write, and that open replays the WAL the read-only
// instance served from. If the replay fills a memtable, RocksDB flushes it to a table file inside the open
// (even with avoid_flush_during_recovery): the store's files differ from the state memory was read in, and
// ensure_writable reloads memory from the read-write instance. Here a 2,000-row WAL (~300 KB) is replayed
// with 64 KiB write buffers: the open flushes (more table files), every row stays searchable through the
// reload (memory would equal the store without it too: this checks the path's outcome, not that it ran),
// rerank reads through the new instance, and the store stays consistent, also with the default buffers.
TEST(DurableIndexReopen, AFirstWriteWhoseWalReplayFlushesKeepsEveryRowAndRerank) {
  testing::TempDir dir;
  const std::string path = dir.sub("db");
  constexpr size_t kWalRows = 2000;
  const std::vector<float> x = testing::gaussian_rows(0, kWalRows + 1, kDim, 9);
  const std::vector<idx_t> ids = testing::id_range(0, kWalRows + 1);
  {
    auto index = DurableIndex::create(path, flat_spec());
    for (size_t b = 0; b < kWalRows; b += 100) index->add_with_ids(100, x.data() + b * kDim, ids.data() + b);
  }  // closed without a flush: the rows are in the WAL only
  auto table_files = [&] {
    size_t n = 0;
    for (const auto& entry : fs::directory_iterator(path)) n += entry.path().extension() == ".sst";
    return n;
  };
  const size_t tables_before = table_files();
  OpenOptions small_buffers;
  small_buffers.write_buffer_bytes = size_t{64} << 10;
  auto index = DurableIndex::open(path, small_buffers);
  auto expect_rows = [&](const DurableIndex& idx, size_t rows) {
    ASSERT_EQ(idx.size(), rows);
    std::vector<float> d(rows);
    std::vector<idx_t> l(rows, -1);
    idx.search(static_cast<idx_t>(rows), x.data(), 1, d.data(), l.data());
    for (size_t i = 0; i < rows; ++i) ASSERT_EQ(l[i], ids[i]) << "row " << i;
  };
  expect_rows(*index, kWalRows);
  EXPECT_EQ(table_files(), tables_before) << "the read-only instance wrote a table";
  index->add_with_ids(1, x.data() + kWalRows * kDim, ids.data() + kWalRows);
  EXPECT_GT(table_files(), tables_before) << "the read-write open did not flush its WAL replay";
  expect_rows(*index, kWalRows + 1);
  {
    SearchOptions rerank;
    rerank.rerank_factor = 2;
    float d1 = 0;
    idx_t l1 = -1;
    index->search(1, x.data() + 7 * kDim, 1, &d1, &l1, rerank);
    EXPECT_EQ(l1, ids[7]);
  }
  index->check_consistency();
  index->close();
  auto reopened = DurableIndex::open(path);
  expect_rows(*reopened, kWalRows + 1);
  reopened->check_consistency();
}

TEST(DurableIndexReopen, AWriteBufferOutsideItsRangeIsRefusedBeforeAnythingIsWritten) {
  testing::TempDir dir;
  for (const size_t bytes : {size_t{0}, size_t{64 << 10} - 1, (size_t{256} << 20) + 1}) {
    OpenOptions options;
    options.write_buffer_bytes = bytes;
    EXPECT_THROW(DurableIndex::create(dir.sub("db"), flat_spec(), options), InvalidArgument) << bytes;
    EXPECT_FALSE(fs::exists(dir.sub("db"))) << bytes;
  }
  make_store(dir.sub("db"));
  OpenOptions options;
  options.write_buffer_bytes = 1;
  EXPECT_THROW(DurableIndex::open(dir.sub("db"), options), InvalidArgument);
  expect_all_rows(*DurableIndex::open(dir.sub("db")));
}

// An IVF store grown by many small adds (each list reallocated step by step: slack) and a bulk load is
// reopened with each list allocated once at its final size — one append of the whole store, not chunk by
// chunk: no unused capacity in the lists, their ids and L2 terms (a container-size check, not RSS) — and
// searches exactly as before the close (same labels, same distance bits). 45,000 rows: appended in
// 4096-row chunks (the old reopen), lists grow by less than the 1/8 growth step from the 9th chunk on and
// keep slack, which this test detects.
TEST(DurableIndexReopen, AnIvfReopenSizesEveryListOnceAndSearchesAsBefore) {
  testing::TempDir dir;
  const std::string path = dir.sub("db");
  constexpr size_t kAdded = 6000, kBatch = 250, kIvfRows = 45000, kQueries = 40, kK = 10;
  IndexSpec spec = flat_spec();
  spec.descriptor = "IVF8,RaBitQ1";
  const std::vector<float> x = testing::gaussian_rows(0, kIvfRows, kDim, 17);
  const std::vector<float> queries = testing::gaussian_rows(kIvfRows, kQueries, kDim, 17);
  SearchOptions options;
  options.nprobe = 3;
  std::vector<float> d_before(kQueries * kK), d_after(kQueries * kK);
  std::vector<idx_t> l_before(kQueries * kK), l_after(kQueries * kK);
  {
    auto index = DurableIndex::create(path, spec);
    index->train(2000, x.data());
    for (size_t first = 0; first < kAdded; first += kBatch) {
      const std::vector<idx_t> ids = testing::id_range(static_cast<idx_t>(first), kBatch);
      index->add_with_ids(kBatch, x.data() + first * kDim, ids.data());
    }
    EXPECT_GT(index->unused_capacity_bytes(), 0u);  // grown step by step
    const std::vector<idx_t> ids = testing::id_range(kAdded, kIvfRows - kAdded);
    index->bulk_load(kIvfRows - kAdded, x.data() + kAdded * kDim, ids.data());
    index->search(kQueries, queries.data(), kK, d_before.data(), l_before.data(), options);
    index->close();
  }
  auto index = DurableIndex::open(path);
  ASSERT_EQ(index->size(), kIvfRows);
  EXPECT_EQ(index->unused_capacity_bytes(), 0u);
  index->search(kQueries, queries.data(), kK, d_after.data(), l_after.data(), options);
  EXPECT_EQ(l_after, l_before);
  EXPECT_EQ(std::memcmp(d_after.data(), d_before.data(), d_before.size() * sizeof(float)), 0);
  index->check_consistency();
}

}  // namespace
}  // namespace ipaq::storage
