// What counts as an existing store, and writes rejected before anything is written (qa5 findings 1, 2, 4,
// 6): a store directory without CURRENT is damaged, never absent (RocksDB would create an empty database
// over it and delete its MANIFEST and tables); create() refuses a non-empty directory; null or overflowing
// vectors and too few IVF training rows are InvalidArgument with the store and the in-memory index unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "tests/storage/storage_test_util.h"

namespace ipaq::storage {
namespace {

namespace fs = std::filesystem;
using testing::gaussian_rows;
using testing::id_range;
using testing::TempDir;
using idx_t = faiss::Index::idx_t;

constexpr size_t kDim = 16;
constexpr size_t kRows = 300;

OpenOptions fast_options() {
  OpenOptions options;
  options.sync_writes = false;
  return options;
}

IndexSpec spec_for(const std::string& descriptor) {
  IndexSpec spec = testing::flat_l2_spec(kDim);
  spec.descriptor = descriptor;
  return spec;
}

// Every file of a directory (recursively) with its full contents: "byte for byte unchanged" compares these.
std::map<std::string, std::string> listing(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) {
      files[fs::relative(entry.path(), dir).string()] = "<dir>";
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files[fs::relative(entry.path(), dir).string()] = bytes.str();
  }
  return files;
}

// A store of kRows rows, closed. flushed: its rows in tables (the WAL files then hold nothing needed).
void make_store(const std::string& path, const IndexSpec& spec, bool flushed) {
  auto index = DurableIndex::create(path, spec, fast_options());
  const std::vector<float> x = gaussian_rows(0, kRows, kDim, 7);
  if (!index->is_trained()) index->train(kRows, x.data());
  const std::vector<idx_t> ids = id_range(0, kRows);
  index->add_with_ids(kRows, x.data(), ids.data());
  if (flushed) index->flush();
  index->close();
}

void expect_rejected_without_change(const std::string& path) {
  const auto before = listing(path);
  ASSERT_FALSE(before.count("CURRENT"));
  EXPECT_THROW(DurableIndex::open_or_create(path, spec_for("Flat"), fast_options()), FormatError);
  EXPECT_EQ(listing(path), before);
  EXPECT_THROW(DurableIndex::open(path, fast_options()), FormatError);
  EXPECT_EQ(listing(path), before);
  EXPECT_THROW(DurableIndex::create(path, spec_for("Flat"), fast_options()), FormatError);
  EXPECT_EQ(listing(path), before);
  try {
    DurableIndex::open(path, fast_options());
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("CURRENT is missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  }
}

// qa5 finding 1: with the WAL files deleted too, open_or_create used to create an empty database over
// the store (RocksDB deleted the MANIFEST and every table: all rows lost).
TEST(DurableIndexPresence, MissingCurrentWithoutWalIsDamagedAndUntouched) {
  TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path, spec_for("Flat"), /*flushed=*/true);
  fs::remove(path + "/CURRENT");
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".log") fs::remove(entry.path());
  }
  expect_rejected_without_change(path);
}

// With the WAL present, the old open_or_create failed only after writing a new CURRENT and MANIFEST of an
// empty database (every later open: "column family 'meta' is missing").
TEST(DurableIndexPresence, MissingCurrentWithWalIsDamagedAndUntouched) {
  TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path, spec_for("Flat"), /*flushed=*/false);
  fs::remove(path + "/CURRENT");
  bool wal = false;
  for (const auto& entry : fs::directory_iterator(path)) wal = wal || entry.path().extension() == ".log";
  ASSERT_TRUE(wal);
  expect_rejected_without_change(path);
  // Restoring CURRENT... is the user's job; the rows are all still there once it is back.
}

TEST(DurableIndexPresence, CreateRefusesNonEmptyDirectoryAndExistingStore) {
  TempDir dir;
  const std::string other = dir.sub("other");
  fs::create_directories(other);
  std::ofstream(other + "/notes.txt") << "hi\n";
  const auto before = listing(other);
  EXPECT_THROW(DurableIndex::create(other, spec_for("Flat"), fast_options()), InvalidArgument);
  EXPECT_THROW(DurableIndex::open_or_create(other, spec_for("Flat"), fast_options()), InvalidArgument);
  EXPECT_EQ(listing(other), before);

  const std::string store = dir.sub("store");
  make_store(store, spec_for("Flat"), true);
  EXPECT_THROW(DurableIndex::create(store, spec_for("Flat"), fast_options()), StorageError);
  EXPECT_EQ(DurableIndex::open_or_create(store, spec_for("Flat"), fast_options())->size(), kRows);

  const std::string empty = dir.sub("empty");  // an empty directory is as good as none
  fs::create_directories(empty);
  EXPECT_EQ(DurableIndex::create(empty, spec_for("Flat"), fast_options())->size(), 0u);
  const std::string fresh = dir.sub("fresh");
  EXPECT_EQ(DurableIndex::open_or_create(fresh, spec_for("Flat"), fast_options())->size(), 0u);
}

TEST(DurableIndexPresence, FilesystemErrorsAreIpaqErrors) {
  TempDir dir;
  const std::string file = dir.sub("file");
  std::ofstream(file) << "x";
  // A path below a regular file: std::filesystem would throw filesystem_error.
  EXPECT_THROW(DurableIndex::create(file + "/db", spec_for("Flat"), fast_options()), Error);
  EXPECT_THROW(DurableIndex::create(file, spec_for("Flat"), fast_options()), Error);
}

// qa5 finding 13: every rejected open of a damaged store rotated its LOG into LOG.old.<time> (the
// read-write open it falls back to wrote a new LOG); now the directory is left byte for byte as it was.
TEST(DurableIndexPresence, RejectedOpenOfDamagedWalWritesNothing) {
  TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path, spec_for("Flat"), /*flushed=*/false);
  std::string wal;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".log" && fs::file_size(entry.path()) > 1000) wal = entry.path().string();
  }
  ASSERT_FALSE(wal.empty());
  {
    std::fstream f(wal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(wal) / 2));
    const std::string garbage(64, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const auto before = listing(path);
  for (int attempt = 0; attempt < 2; ++attempt) {
    EXPECT_THROW(DurableIndex::open(path, fast_options()), FormatError);
    EXPECT_EQ(listing(path), before);
  }
}

class RejectedWrites : public ::testing::TestWithParam<const char*> {};

// qa5 findings 2 and 4: a null x (n > 0) crashed IVF and FAISS indexes inside sa_encode; a row whose
// squared norm overflows float32 made IVF's coarse assignment -1 ("could not be rebuilt"). Both are
// InvalidArgument now, with the store and the in-memory index as they were.
TEST_P(RejectedWrites, NullAndOverflowingVectorsChangeNothing) {
  TempDir dir;
  const std::string path = dir.sub("db");
  make_store(path, spec_for(GetParam()), true);
  auto index = DurableIndex::open(path, fast_options());
  const auto before = listing(path);
  const std::vector<idx_t> ids = id_range(static_cast<idx_t>(kRows), 4);
  EXPECT_THROW(index->add_with_ids(4, nullptr, ids.data()), InvalidArgument);
  EXPECT_THROW(index->upsert(4, nullptr, ids.data()), InvalidArgument);
  EXPECT_THROW(index->bulk_load(4, nullptr, ids.data()), InvalidArgument);
  std::vector<float> huge = gaussian_rows(kRows, 4, kDim, 7);
  huge[2 * kDim + 3] = 3e38f;  // finite, but its square overflows
  EXPECT_THROW(index->add_with_ids(4, huge.data(), ids.data()), InvalidArgument);
  EXPECT_THROW(index->upsert(4, huge.data(), ids.data()), InvalidArgument);
  EXPECT_THROW(index->bulk_load(4, huge.data(), ids.data()), InvalidArgument);
  std::vector<float> d(4);
  std::vector<idx_t> l(4);
  EXPECT_THROW(index->search(4, huge.data(), 1, d.data(), l.data()), InvalidArgument);
  EXPECT_EQ(index->size(), kRows);
  const std::vector<float> x = gaussian_rows(0, 4, kDim, 7);
  index->search(4, x.data(), 1, d.data(), l.data());  // still usable (not "could not be rebuilt")
  for (idx_t i = 0; i < 4; ++i) EXPECT_GE(l[i], 0);
  index->check_consistency();
  index->close();
  // bulk_load's check runs after its read-write open (which writes RocksDB's own files); the rows are unchanged.
  auto reopened = DurableIndex::open(path, fast_options());
  EXPECT_EQ(reopened->size(), kRows);
  reopened->check_consistency();
  (void)before;
}

INSTANTIATE_TEST_SUITE_P(Kinds, RejectedWrites,
                         ::testing::Values("Flat", "RaBitQ1", "PQ8x8np", "IVF8,RaBitQ1", "IVF8,TQ4", "IVF8,PQ8x8np"));

// qa5 finding 6: fewer training rows than IVF lists threw faiss::FaissException ("nx >= k").
TEST(DurableIndexPresence, IvfTrainWithTooFewRowsIsInvalidArgument) {
  TempDir dir;
  auto index = DurableIndex::create(dir.sub("db"), spec_for("IVF8,TQ4"), fast_options());
  const std::vector<float> x = gaussian_rows(0, 7, kDim, 7);
  EXPECT_THROW(index->train(7, x.data()), InvalidArgument);
  EXPECT_FALSE(index->is_trained());
  std::vector<float> huge = gaussian_rows(0, 64, kDim, 7);
  huge[5 * kDim] = -3e38f;
  EXPECT_THROW(index->train(64, huge.data()), InvalidArgument);
  EXPECT_FALSE(index->is_trained());
  const std::vector<float> ok = gaussian_rows(0, 64, kDim, 7);
  index->train(64, ok.data());
  EXPECT_TRUE(index->is_trained());
}

}  // namespace
}  // namespace ipaq::storage
