// End-to-end tests of `ipaq build`, `ipaq search` and `ipaq info` (the built executable): build → info →
// search on sift5k (L2) and bge-m3 (inner product) with recall against an exact search done here, and
// the bad-input paths, each of which must exit non-zero, name the problem, and leave no database (or
// staging directory) behind.
#include <algorithm>

#include "lib/io/vector_file.h"
#include "tests/tools/cli_fixture.h"

namespace ipaq::cli_test {
namespace {

// Exact top-k by brute force (double accumulation), the reference the CLI's results are scored against.
io::IntMatrix exact_top_k(const io::FloatMatrix& base, const io::FloatMatrix& queries, size_t k, bool ip) {
  io::IntMatrix gt{queries.n, k, {}};
  std::vector<std::pair<double, int64_t>> scored(base.n);
  for (size_t q = 0; q < queries.n; ++q) {
    for (size_t i = 0; i < base.n; ++i) {
      double s = 0;
      for (size_t j = 0; j < base.d; ++j) {
        const double a = queries.row(q)[j], b = base.row(i)[j];
        s += ip ? -a * b : (a - b) * (a - b);
      }
      scored[i] = {s, static_cast<int64_t>(i)};
    }
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end());
    for (size_t j = 0; j < k; ++j) gt.data.push_back(scored[j].second);
  }
  return gt;
}

double recall(const io::IntMatrix& got, const io::IntMatrix& truth) {
  size_t found = 0;
  for (size_t q = 0; q < truth.n; ++q) {
    const auto* t = truth.data.data() + q * truth.d;
    const auto* g = got.data.data() + q * got.d;
    for (size_t j = 0; j < got.d; ++j) found += std::count(t, t + truth.d, g[j]) > 0 ? 1 : 0;
  }
  return static_cast<double>(found) / static_cast<double>(truth.n * truth.d);
}

// No database and no hidden staging directory may be left in the test directory.
void expect_no_database(const fs::path& dir, const std::string& name) {
  EXPECT_FALSE(fs::exists(dir / name)) << name;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".building-"), std::string::npos) << entry.path();
  }
}

TEST_F(CliTest, BuildInfoSearchSift5kL2) {
  const CliRun build = ipaq("build --base " + kSiftBase + " --index IVF32,RaBitQ2 --db " + path("db") +
                            " --metric l2");
  ASSERT_EQ(build.status, 0) << build.output;
  EXPECT_NE(build.output.find("5000 vectors"), std::string::npos) << build.output;

  const CliRun info = ipaq("info --db " + path("db") + " --json");
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("\"descriptor\":\"IVF32,RaBitQ2\""), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("\"dim\":128"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("\"count\":5000"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("\"metric\":\"l2\""), std::string::npos) << info.output;

  const io::FloatMatrix base = io::read_vectors(kSiftBase);
  const io::FloatMatrix queries = io::read_vectors(kSiftQueries);
  const io::IntMatrix truth = exact_top_k(base, queries, 10, false);
  // Probing all 32 lists and reranking 10x candidates with the stored exact vectors: recall is limited
  // only by true neighbours missing from the 100 best RaBitQ2 estimates; 0.9 is a floor well under the
  // measured value and far above what any id or metric mix-up yields (< 0.01).
  const CliRun search = ipaq("search --db " + path("db") + " --queries " + kSiftQueries +
                             " -k 10 --nprobe 32 --rerank 10 --out " + path("r.ivecs"));
  ASSERT_EQ(search.status, 0) << search.output;
  EXPECT_NE(search.output.find("QPS"), std::string::npos) << search.output;
  const io::IntMatrix got = io::read_ids(path("r.ivecs"));
  ASSERT_EQ(got.n, queries.n);
  ASSERT_EQ(got.d, 10u);
  EXPECT_GT(recall(got, truth), 0.9);
  // Without rerank and with 1 of 32 lists, recall must drop: the options really reach the index.
  const CliRun narrow = ipaq("search --db " + path("db") + " --queries " + kSiftQueries +
                             " -k 10 --nprobe 1 --out " + path("n.ivecs"));
  ASSERT_EQ(narrow.status, 0) << narrow.output;
  EXPECT_LT(recall(io::read_ids(path("n.ivecs")), truth), recall(got, truth));
  // Other result formats.
  for (const char* out : {"r.csv", "r.json", "d.fvecs"}) {
    const CliRun r = ipaq("search --db " + path("db") + " --queries " + kSiftQueries + " -k 3 --out " + path(out));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_GT(fs::file_size(path(out)), 0u) << out;
  }
  EXPECT_EQ(io::read_vectors(path("d.fvecs")).d, 3u);
}

TEST_F(CliTest, BuildSearchBgeInnerProduct) {
  const CliRun build = ipaq("build --base " + kBgeParagraphs + " --index TQ4 --db " + path("bge") + " --metric ip");
  ASSERT_EQ(build.status, 0) << build.output;
  const CliRun search = ipaq("search --db " + path("bge") + " --queries " + kBgeSentences +
                             " --nq 100 -k 10 --out " + path("r.ivecs"));
  ASSERT_EQ(search.status, 0) << search.output;
  const io::FloatMatrix base = io::read_vectors(kBgeParagraphs);
  io::ReadOptions first100;
  first100.max_rows = 100;
  const io::FloatMatrix queries = io::read_vectors(kBgeSentences, first100);
  // TQ4 keeps ~0.0095 of a unit vector's energy as error; spread over 1024 rotated coordinates, an
  // estimated inner product is off by ~sqrt(0.0095/1024) ≈ 0.003, small next to the gaps between
  // neighbours' scores. 0.7 is a floor under that, far above random (10/500 = 0.02).
  EXPECT_GT(recall(io::read_ids(path("r.ivecs")), exact_top_k(base, queries, 10, true)), 0.7);
}

TEST_F(CliTest, BuildWorkloadWeightedAsqNeedsWorkload) {
  const std::string common = "build --base " + kSiftBase + " --index ASQ4w --db " + path("w");
  // Refused before anything is written: no workload, or a workload of another dimension.
  EXPECT_FAILS_WITH(ipaq(common), "give sample queries with --workload FILE");
  EXPECT_FALSE(fs::exists(path("w")));
  EXPECT_FAILS_WITH(ipaq(common + " --workload " + kBgeSentences), "have dimension 1024 but base vectors have 128");
  EXPECT_FALSE(fs::exists(path("w")));
  // With sample queries (the base vectors stand in for them) it builds; the trained weights are stored,
  // so a later search needs no workload. Recall floor as in EvalWorkloadWeightedAsqTakesWorkloadFile
  // (measured 0.85 without rerank).
  const CliRun build = ipaq(common + " --workload " + kSiftBase);
  ASSERT_EQ(build.status, 0) << build.output;
  const io::IntMatrix truth = exact_top_k(io::read_vectors(kSiftBase), io::read_vectors(kSiftQueries), 10, false);
  const CliRun search = ipaq("search --db " + path("w") + " --queries " + kSiftQueries + " -k 10 --out " +
                             path("w.ivecs"));
  ASSERT_EQ(search.status, 0) << search.output;
  EXPECT_GT(recall(io::read_ids(path("w.ivecs")), truth), 0.75);
}

TEST_F(CliTest, DatabaseCommandsRejectBadInput) {
  const std::string db = path("db");
  // build: each failure leaves no database and no staging directory.
  EXPECT_FAILS_WITH(ipaq("build --base " + path("missing.fvecs") + " --index TQ4 --db " + db), "missing.fvecs");
  EXPECT_FAILS_WITH(ipaq("build --base " + write_file("empty.fvecs", "") + " --index TQ4 --db " + db), "empty");
  EXPECT_FAILS_WITH(ipaq("build --base " + kSiftBase + " --index NoSuchCodec7 --db " + db), "NoSuchCodec7");
  EXPECT_FAILS_WITH(ipaq("build --base " + kSiftBase + " --index TQ4 --db " + db + " --metric cosine"), "cosine");
  expect_no_database(dir_, "db");
  fs::create_directories(path("existing"));
  EXPECT_FAILS_WITH(ipaq("build --base " + kSiftBase + " --index TQ4 --db " + path("existing")), "already exists");
  EXPECT_TRUE(fs::is_empty(path("existing")));

  ASSERT_EQ(ipaq("build --base " + kSiftBase + " --index TQ2 --db " + db + " --nb 200").status, 0);
  const std::string search = "search --db " + db + " --queries ";
  EXPECT_FAILS_WITH(ipaq(search + kSiftQueries + " -k 0"), "option -k must be in [1, ");
  EXPECT_FAILS_WITH(ipaq(search + kSiftQueries + " -k -3"), "option -k must be in [1, ");
  EXPECT_FAILS_WITH(ipaq(search + kSiftQueries + " -k 201"), "exceeds the 200 vectors");
  EXPECT_FAILS_WITH(ipaq(search + kBgeSentences + " -k 5"), "dimension");
  EXPECT_FAILS_WITH(ipaq(search + path("missing.fvecs") + " -k 5"), "missing.fvecs");
  EXPECT_FAILS_WITH(ipaq(search + kSiftQueries + " -k 5 --out " + path("r.txt")), "unknown result format");
  EXPECT_FAILS_WITH(ipaq("search --db " + path("nodb") + " --queries " + kSiftQueries + " -k 5"), "nodb");
  EXPECT_FAILS_WITH(ipaq("info --db " + path("nodb")), "nodb");
  EXPECT_FAILS_WITH(ipaq("info"), "missing required option --db");
  // A directory that is not a database is reported, not created into.
  fs::create_directories(path("notadb"));
  EXPECT_NE(ipaq("info --db " + path("notadb")).status, 0);
  EXPECT_TRUE(fs::is_empty(path("notadb")));
  for (const char* cmd : {"build", "search", "info"}) {
    const CliRun help = ipaq(std::string(cmd) + " --help");
    EXPECT_EQ(help.status, 0) << cmd;
    EXPECT_NE(help.output.find("usage: ipaq " + std::string(cmd)), std::string::npos) << help.output;
  }
}

}  // namespace
}  // namespace ipaq::cli_test
