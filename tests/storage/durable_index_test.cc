// DurableIndex behaviour: results equal an index built fresh in memory from the same trained state,
// before and after reopen (so reopen re-encodes nothing and rebuilds IVF lists correctly); upsert,
// remove, bulk load; rerank from `raw`; every invalid call rejected with nothing written; searches
// concurrent with a writer never observe half a write, also while the first write after a reopen swaps
// the read-only RocksDB instance for the read-write one.
#include <gtest/gtest.h>

#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "tests/storage/storage_test_util.h"

namespace ipaq::storage {
namespace {

using testing::gaussian_rows;
using testing::id_range;
using testing::TempDir;
using idx_t = faiss::Index::idx_t;

constexpr size_t kDim = 32;
constexpr uint64_t kSeed = 7;

struct SearchResult {
  std::vector<float> distances;
  std::vector<idx_t> labels;
};

SearchResult search(const DurableIndex& index, const std::vector<float>& queries, idx_t k, SearchOptions options = {}) {
  const idx_t nq = static_cast<idx_t>(queries.size() / kDim);
  SearchResult r{std::vector<float>(nq * k), std::vector<idx_t>(nq * k)};
  index.search(nq, queries.data(), k, r.distances.data(), r.labels.data(), options);
  return r;
}

// The reference: the stored trained index, filled through FAISS's ordinary add path (which encodes the
// vectors itself), behind an id map.
SearchResult reference_search(const DurableIndex& durable, const std::vector<float>& x, const std::vector<idx_t>& ids,
                              const std::vector<float>& queries, idx_t k, int nprobe) {
  std::unique_ptr<faiss::Index> inner = durable.trained_index_copy();
  if (nprobe > 0) dynamic_cast<faiss::IndexIVF&>(*inner).nprobe = nprobe;
  faiss::IndexIDMap map(inner.get());
  map.add_with_ids(static_cast<idx_t>(ids.size()), x.data(), ids.data());
  const idx_t nq = static_cast<idx_t>(queries.size() / kDim);
  SearchResult r{std::vector<float>(nq * k), std::vector<idx_t>(nq * k)};
  map.search(nq, queries.data(), k, r.distances.data(), r.labels.data());
  return r;
}

void expect_same(const SearchResult& a, const SearchResult& b, const char* what) {
  ASSERT_EQ(a.labels.size(), b.labels.size());
  for (size_t i = 0; i < a.labels.size(); ++i) {
    ASSERT_EQ(a.labels[i], b.labels[i]) << what << " at " << i;
    ASSERT_EQ(a.distances[i], b.distances[i]) << what << " at " << i;
  }
}

IndexSpec spec_for(const std::string& descriptor, bool keep_raw = true) {
  IndexSpec spec;
  spec.dim = kDim;
  spec.descriptor = descriptor;
  spec.metric = faiss::METRIC_L2;
  spec.seed = kSeed;
  spec.keep_raw = keep_raw;
  return spec;
}

OpenOptions fast_options() {
  OpenOptions o;
  o.sync_writes = false;  // these tests never crash the machine; the crash test covers durability
  return o;
}

class DurableIndexDescriptors : public ::testing::TestWithParam<std::string> {};

TEST_P(DurableIndexDescriptors, EqualsAFreshIndexBeforeAndAfterReopen) {
  TempDir dir;
  const std::string path = dir.sub("db");
  const std::string descriptor = GetParam();
  const bool ivf = descriptor.rfind("IVF", 0) == 0;
  const int nprobe = ivf ? 3 : 0;
  const std::vector<float> train = gaussian_rows(100000, 2000, kDim, 1);
  const size_t n = 1500;
  const std::vector<float> x = gaussian_rows(0, n, kDim, 2);
  std::vector<idx_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = 1000 + 7 * static_cast<idx_t>(i);  // sparse, not positional
  const std::vector<float> queries = gaussian_rows(0, 20, kDim, 3);
  const idx_t k = 10;
  SearchOptions options;
  options.nprobe = nprobe;

  SearchResult before;
  {
    auto index = DurableIndex::create(path, spec_for(descriptor), fast_options());
    if (!index->is_trained()) index->train(2000, train.data());
    for (size_t begin = 0; begin < n; begin += 500) {  // several write batches
      index->add_with_ids(500, x.data() + begin * kDim, ids.data() + begin);
    }
    EXPECT_EQ(index->size(), n);
    before = search(*index, queries, k, options);
    expect_same(before, reference_search(*index, x, ids, queries, k, nprobe), "durable vs fresh");
    index->check_consistency();
  }
  auto reopened = DurableIndex::open(path, fast_options());
  EXPECT_EQ(reopened->size(), n);
  EXPECT_EQ(reopened->header().descriptor, descriptor);
  expect_same(search(*reopened, queries, k, options), before, "reopened vs before");
  reopened->check_consistency();

  // Rerank after reopen reads the right `raw` rows for sparse ids: every returned distance is the exact
  // squared L2 distance to the vector stored under the returned id (float vs double sums of 32 terms:
  // relative error ~1e-6, tolerance 1e-4).
  options.rerank_factor = 3;
  const SearchResult reranked = search(*reopened, queries, k, options);
  for (size_t i = 0; i < reranked.labels.size(); ++i) {
    const idx_t id = reranked.labels[i];
    ASSERT_TRUE(id >= 1000 && (id - 1000) % 7 == 0) << id;
    const float* v = x.data() + (id - 1000) / 7 * kDim;
    const float* q = queries.data() + (i / k) * kDim;
    double exact = 0;
    for (size_t j = 0; j < kDim; ++j) exact += (double(q[j]) - v[j]) * (double(q[j]) - v[j]);
    EXPECT_NEAR(reranked.distances[i], exact, 1e-4 * exact) << i;
    if (i % k > 0) {
      EXPECT_LE(reranked.distances[i - 1], reranked.distances[i]) << "sorted";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Storage, DurableIndexDescriptors,
                         ::testing::Values("Flat", "PQ8x8np", "IVF8,PQ8x8np", "IVF8,Flat", "RaBitQ1", "TQ4", "IVF8,RaBitQ1",
                                           "IVF8,TQ4"));

// A trained-at-construction index with exact distances: search results can be checked by hand.
std::unique_ptr<DurableIndex> make_flat(const std::string& path, bool keep_raw = true) {
  return DurableIndex::create(path, spec_for("Flat", keep_raw), fast_options());
}

idx_t nearest(const DurableIndex& index, const float* query) {
  float distance;
  idx_t label;
  index.search(1, query, 1, &distance, &label);
  return label;
}

TEST(DurableIndex, UpsertReplacesAndRemoveDeletesDurably) {
  TempDir dir;
  const std::string path = dir.sub("db");
  const std::vector<float> x = gaussian_rows(0, 100, kDim, 4);
  const std::vector<idx_t> ids = id_range(0, 100);
  const std::vector<float> replacement = gaussian_rows(500, 2, kDim, 4);
  {
    auto index = make_flat(path);
    index->add_with_ids(100, x.data(), ids.data());
    // Replace id 5, insert id 200, in one call.
    const idx_t upsert_ids[] = {5, 200};
    index->upsert(2, replacement.data(), upsert_ids);
    EXPECT_EQ(index->size(), 101u);
    EXPECT_EQ(nearest(*index, replacement.data()), 5);
    EXPECT_EQ(nearest(*index, replacement.data() + kDim), 200);
    EXPECT_NE(nearest(*index, x.data() + 5 * kDim), 5) << "the old vector of id 5 must be gone";
    const idx_t removed[] = {7, 200};
    index->remove(2, removed);
    EXPECT_EQ(index->size(), 99u);
  }
  auto index = DurableIndex::open(path, fast_options());
  EXPECT_EQ(index->size(), 99u);
  EXPECT_EQ(nearest(*index, replacement.data()), 5);
  EXPECT_NE(nearest(*index, x.data() + 7 * kDim), 7);
  EXPECT_NE(nearest(*index, replacement.data() + kDim), 200);
  EXPECT_EQ(nearest(*index, x.data() + 8 * kDim), 8);
  index->check_consistency();
}

TEST(DurableIndex, InvalidCallsAreRejectedAndWriteNothing) {
  TempDir dir;
  const std::string path = dir.sub("db");
  auto index = make_flat(path, /*keep_raw=*/false);
  const std::vector<float> x = gaussian_rows(0, 10, kDim, 5);
  const std::vector<idx_t> ids = id_range(0, 10);
  index->add_with_ids(10, x.data(), ids.data());

  std::vector<float> bad = gaussian_rows(10, 3, kDim, 5);
  const std::vector<idx_t> new_ids = id_range(10, 3);
  bad[kDim + 4] = std::nanf("");
  EXPECT_THROW(index->add_with_ids(3, bad.data(), new_ids.data()), InvalidArgument);
  bad[kDim + 4] = INFINITY;
  EXPECT_THROW(index->upsert(3, bad.data(), new_ids.data()), InvalidArgument);
  EXPECT_THROW(index->bulk_load(3, bad.data(), new_ids.data()), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path + ".bulk")) << "scratch files of the rejected bulk load removed";
  const std::vector<float> good = gaussian_rows(10, 3, kDim, 5);
  const idx_t negative[] = {10, -3, 12};
  EXPECT_THROW(index->add_with_ids(3, good.data(), negative), InvalidArgument);
  const idx_t duplicate[] = {10, 11, 10};
  EXPECT_THROW(index->add_with_ids(3, good.data(), duplicate), InvalidArgument);
  const idx_t adjacent_duplicate[] = {10, 10, 11};
  EXPECT_THROW(index->bulk_load(3, good.data(), adjacent_duplicate), InvalidArgument);
  const idx_t negative_after_increasing[] = {10, 11, -1};
  EXPECT_THROW(index->bulk_load(3, good.data(), negative_after_increasing), InvalidArgument);
  const idx_t existing[] = {10, 11, 3};
  EXPECT_THROW(index->add_with_ids(3, good.data(), existing), InvalidArgument);
  EXPECT_THROW(index->bulk_load(3, good.data(), existing), InvalidArgument);
  const idx_t unknown[] = {1, 77};
  EXPECT_THROW(index->remove(2, unknown), InvalidArgument);
  float d;
  idx_t l;
  SearchOptions ivf_only;
  ivf_only.nprobe = 4;
  EXPECT_THROW(index->search(1, x.data(), 1, &d, &l, ivf_only), InvalidArgument);
  SearchOptions rerank;
  rerank.rerank_factor = 4;
  EXPECT_THROW(index->search(1, x.data(), 1, &d, &l, rerank), InvalidArgument) << "no raw vectors kept";
  EXPECT_THROW(index->search(1, x.data(), 0, &d, &l), InvalidArgument);

  // Nothing of the above reached the store or memory.
  EXPECT_EQ(index->size(), 10u);
  EXPECT_EQ(nearest(*index, x.data() + 1 * kDim), 1);
  index->check_consistency();
  index->close();
  EXPECT_THROW(index->add_with_ids(1, x.data(), ids.data()), StateError);

  auto reopened = DurableIndex::open(path, fast_options());
  EXPECT_EQ(reopened->size(), 10u);
  reopened->check_consistency();
  reopened->close();
  IndexSpec other = spec_for("Flat", false);
  other.dim = kDim + 1;
  EXPECT_THROW(DurableIndex::open_or_create(path, other, fast_options()), InvalidArgument);
  other = spec_for("PQ8x8np", false);
  EXPECT_THROW(DurableIndex::open_or_create(path, other, fast_options()), InvalidArgument);
  EXPECT_THROW(DurableIndex::create(path, spec_for("Flat", false), fast_options()), StorageError) << "exists";
  EXPECT_THROW(DurableIndex::create(dir.sub("x"), spec_for("NoSuchIndex"), fast_options()), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.sub("x"))) << "a bad descriptor creates nothing";
  // FAISS 1.7.3's fast-scan indexes have no sa_encode, so their codes cannot be stored.
  EXPECT_THROW(DurableIndex::create(dir.sub("fs"), spec_for("PQ8x4fs"), fast_options()), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.sub("fs")));
  EXPECT_THROW(DurableIndex::open(dir.sub("missing"), fast_options()), StorageError);
  EXPECT_EQ(DurableIndex::open_or_create(path, spec_for("Flat", false), fast_options())->size(), 10u);
}

TEST(DurableIndex, TrainingIsRequiredOnceAndStored) {
  TempDir dir;
  const std::string path = dir.sub("db");
  const std::vector<float> x = gaussian_rows(0, 600, kDim, 6);
  const std::vector<idx_t> ids = id_range(0, 600);
  {
    auto index = DurableIndex::create(path, spec_for("PQ4x8np"), fast_options());
    EXPECT_FALSE(index->is_trained());
    EXPECT_THROW(index->add_with_ids(600, x.data(), ids.data()), StateError);
  }
  {
    auto index = DurableIndex::open(path, fast_options());  // untrained state survives a reopen
    EXPECT_FALSE(index->is_trained());
    index->train(600, x.data());
    EXPECT_THROW(index->train(600, x.data()), StateError);
  }
  auto index = DurableIndex::open(path, fast_options());
  EXPECT_TRUE(index->is_trained());
  index->add_with_ids(600, x.data(), ids.data());
  EXPECT_EQ(index->code_bytes(), 600u * 4);
}

TEST(DurableIndex, RerankFromRawGivesTheExactTopK) {
  TempDir dir;
  const size_t n = 800;
  const std::vector<float> x = gaussian_rows(0, n, kDim, 8);
  const std::vector<idx_t> ids = id_range(0, n);
  const std::vector<float> queries = gaussian_rows(0, 10, kDim, 9);
  auto coarse = DurableIndex::create(dir.sub("pq"), spec_for("PQ4x4"), fast_options());
  coarse->train(static_cast<idx_t>(n), x.data());
  coarse->add_with_ids(static_cast<idx_t>(n), x.data(), ids.data());
  auto exact = make_flat(dir.sub("flat"));
  exact->add_with_ids(static_cast<idx_t>(n), x.data(), ids.data());
  const idx_t k = 5;
  SearchOptions all_candidates;
  all_candidates.rerank_factor = static_cast<float>(n) / k;  // every vector is a candidate
  const SearchResult reranked = search(*coarse, queries, k, all_candidates);
  const SearchResult truth = search(*exact, queries, k);
  for (size_t i = 0; i < truth.labels.size(); ++i) {
    EXPECT_EQ(reranked.labels[i], truth.labels[i]) << i;
    // Exact scores: float vs double accumulation of 32 squared terms of size ~2 → ~1e-5 relative.
    EXPECT_NEAR(reranked.distances[i], truth.distances[i], 1e-4f * truth.distances[i]) << i;
  }
  const SearchResult codes_only = search(*coarse, queries, k);
  EXPECT_NE(codes_only.labels, truth.labels) << "4-byte PQ codes alone should not already be exact";
}

TEST(DurableIndex, BulkLoadEqualsIncrementalAdds) {
  TempDir dir;
  const size_t n = 1200;
  const std::vector<float> x = gaussian_rows(0, n, kDim, 10);
  std::vector<idx_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<idx_t>((i * 7919) % 5003);  // unsorted, unique
  const std::vector<float> queries = gaussian_rows(0, 10, kDim, 11);
  auto added = DurableIndex::create(dir.sub("added"), spec_for("PQ8x8np"), fast_options());
  added->train(static_cast<idx_t>(n), x.data());
  auto trained = added->trained_index_copy();
  added->add_with_ids(static_cast<idx_t>(n), x.data(), ids.data());
  {
    auto bulk = DurableIndex::create(dir.sub("bulk"), spec_for("PQ8x8np"), fast_options());
    bulk->train(static_cast<idx_t>(n), x.data());
    bulk->bulk_load(600, x.data(), ids.data());
    bulk->bulk_load(static_cast<idx_t>(n - 600), x.data() + 600 * kDim, ids.data() + 600);
    EXPECT_EQ(bulk->size(), n);
    expect_same(search(*bulk, queries, 10), search(*added, queries, 10), "bulk vs add");
    bulk->check_consistency();
  }
  auto bulk = DurableIndex::open(dir.sub("bulk"), fast_options());
  EXPECT_EQ(bulk->size(), n);
  expect_same(search(*bulk, queries, 10), search(*added, queries, 10), "reopened bulk vs add");
  bulk->check_consistency();
  EXPECT_FALSE(std::filesystem::exists(dir.sub("bulk.bulk"))) << "scratch files are cleaned up";
}

// Readers search while one writer repeatedly upserts all kGroup ids with one vector per write. Every
// write replaces the whole group, so a search sees either all kGroup rows equal (a whole state) or,
// if it saw half a write, two different distances among the kGroup results. `options` lets the readers
// rerank, i.e. read `raw` through whichever RocksDB instance the index serves from.
constexpr size_t kGroup = 64;

void write_group_version(DurableIndex& index, int version) {
  const std::vector<float> v = gaussian_rows(version, 1, kDim, 12);
  std::vector<float> rows(kGroup * kDim);
  for (size_t i = 0; i < kGroup; ++i) std::copy(v.begin(), v.end(), rows.begin() + i * kDim);
  const std::vector<idx_t> ids = id_range(0, kGroup);
  index.upsert(kGroup, rows.data(), ids.data());
}

void expect_searches_never_see_half_a_write(DurableIndex& index, const SearchOptions& options) {
  std::atomic<bool> done{false};
  std::atomic<int> searches{0}, torn{0};
  const std::vector<float> query = gaussian_rows(0, 1, kDim, 13);
  auto reader = [&] {
    std::vector<float> d(kGroup);
    std::vector<idx_t> l(kGroup);
    while (!done.load()) {
      index.search(1, query.data(), kGroup, d.data(), l.data(), options);
      for (size_t i = 0; i < kGroup; ++i) {
        if (l[i] < 0 || d[i] != d[0]) {
          ++torn;
          break;
        }
      }
      ++searches;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int version = 1; version <= 150; ++version) write_group_version(index, version);
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(index.size(), kGroup);
}

TEST(DurableIndex, SearchesNeverSeeHalfAWrite) {
  TempDir dir;
  auto index = make_flat(dir.sub("db"), /*keep_raw=*/false);
  write_group_version(*index, 0);
  expect_searches_never_see_half_a_write(*index, {});
}

// After a reopen the index serves from a read-only RocksDB instance; its first write swaps it for the
// read-write one while readers rerank from `raw` (under ASan a search still holding the closed instance
// would be a use after free). Each round reopens, waits until both readers are searching, makes the first
// write, and lets them search on after it: the searches run before, during and after every swap.
TEST(DurableIndex, SearchesNeverSeeHalfAWriteAcrossTheFirstWriteAfterAReopen) {
  TempDir dir;
  {
    auto index = make_flat(dir.sub("db"));
    write_group_version(*index, 0);
  }
  SearchOptions rerank;
  rerank.rerank_factor = 1;
  const std::vector<float> query = gaussian_rows(0, 1, kDim, 13);
  constexpr int kRounds = 12;
  for (int round = 1; round <= kRounds; ++round) {
    auto index = DurableIndex::open(dir.sub("db"), fast_options());
    std::atomic<bool> done{false};
    std::atomic<int> searches[2] = {0, 0};
    std::atomic<int> torn{0};
    auto reader = [&](int r) {
      std::vector<float> d(kGroup);
      std::vector<idx_t> l(kGroup);
      while (!done.load()) {
        index->search(1, query.data(), kGroup, d.data(), l.data(), rerank);
        for (size_t i = 0; i < kGroup; ++i) {
          if (l[i] < 0 || d[i] != d[0]) {
            ++torn;
            break;
          }
        }
        ++searches[r];
      }
    };
    auto wait_for = [&](int before0, int before1) {
      while (searches[0].load() < before0 + 2 || searches[1].load() < before1 + 2) std::this_thread::yield();
    };
    std::thread r0(reader, 0), r1(reader, 1);
    wait_for(0, 0);
    const int at_write0 = searches[0].load(), at_write1 = searches[1].load();
    write_group_version(*index, round);  // the first write: swaps the instances
    wait_for(searches[0].load(), searches[1].load());
    done = true;
    r0.join();
    r1.join();
    EXPECT_GE(at_write0, 2) << "round " << round;
    EXPECT_GE(at_write1, 2) << "round " << round;
    EXPECT_EQ(torn.load(), 0) << "round " << round;
    EXPECT_EQ(index->size(), kGroup);
    index->close();
  }
}

}  // namespace
}  // namespace ipaq::storage
