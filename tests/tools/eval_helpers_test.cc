// Tests of the pieces of `ipaq eval`: recall, exact ground truth (against a naive loop), its cache,
// file specs, normalisation, bytes per vector, the JSON writer and one evaluated descriptor end to end.
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tools/eval_report.h"
#include "tools/eval_runner.h"
#include "tools/ground_truth.h"
#include "tools/index_maker.h"
#include "tools/json_writer.h"
#include "tools/text_file.h"
#include "tools/vector_input.h"

namespace ipaq::cli {
namespace {

namespace fs = std::filesystem;

io::FloatMatrix random_matrix(size_t n, size_t d, uint64_t seed) {
  io::FloatMatrix m{n, d, std::vector<float>(n * d)};
  Rng rng(seed);
  for (float& v : m.data) v = static_cast<float>(rng.normal());
  return m;
}

// The slow obvious reference: score every base vector, sort, keep k (ties by smaller id).
io::IntMatrix naive_ground_truth(const io::FloatMatrix& base, const io::FloatMatrix& queries, int k, bool ip) {
  io::IntMatrix gt{queries.n, static_cast<size_t>(k), {}};
  for (size_t q = 0; q < queries.n; ++q) {
    std::vector<std::pair<double, int64_t>> scored;
    for (size_t i = 0; i < base.n; ++i) {
      double s = 0;
      for (size_t j = 0; j < base.d; ++j) {
        const double a = queries.row(q)[j], b = base.row(i)[j];
        s += ip ? -a * b : (a - b) * (a - b);
      }
      scored.emplace_back(s, static_cast<int64_t>(i));
    }
    std::sort(scored.begin(), scored.end());
    for (int j = 0; j < k; ++j) gt.data.push_back(scored[j].second);
  }
  return gt;
}

TEST(RecallTest, CountsTrueNeighboursOnce) {
  const io::IntMatrix gt{2, 3, {1, 2, 3, 4, 5, 6}};
  EXPECT_DOUBLE_EQ(recall_at_k({1, 2, 3, 4, 5, 6}, gt, 2, 3), 1.0);
  EXPECT_DOUBLE_EQ(recall_at_k({3, 9, -1, 6, 6, 6}, gt, 2, 3), 2.0 / 6.0);  // duplicates count once
  EXPECT_DOUBLE_EQ(recall_at_k({1, 4}, gt, 2, 1), 1.0);                    // uses the first k columns
  EXPECT_THROW(recall_at_k({1, 2, 3, 4}, gt, 1, 4), InvalidArgument);
}

// qa5 finding 10: ids outside [0, n) (or negative) in a given ground truth are rejected, naming row and id;
// only the first nq rows' first k columns are checked (the part recall reads).
TEST(GroundTruthTest, GivenGroundTruthIdsMustIndexTheBase) {
  io::IntMatrix gt{3, 4, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99999, -7}};
  EXPECT_NO_THROW(check_ground_truth(gt, "gt.ivecs", 2, 4, 10));
  EXPECT_NO_THROW(check_ground_truth(gt, "gt.ivecs", 3, 2, 10));
  auto message = [&](size_t nq, size_t k, size_t n) {
    try {
      check_ground_truth(gt, "gt.ivecs", nq, k, n);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message(3, 3, 10), "ground truth gt.ivecs: row 2 holds id 99999 outside [0, 10) (the base vectors)");
  EXPECT_NE(message(3, 4, 100000).find("row 2 holds id -7 outside [0, 100000)"), std::string::npos);
  EXPECT_NE(message(2, 4, 7).find("row 1 holds id 7 outside [0, 7)"), std::string::npos);
  EXPECT_NE(message(4, 4, 10).find("is 3 x 4 but 4 queries x k = 4 are needed"), std::string::npos);
  EXPECT_NE(message(3, 5, 10).find("is 3 x 4 but 3 queries x k = 5 are needed"), std::string::npos);
}

// qa5 finding 11: output paths are checked before the work, without creating anything.
TEST(TextFileTest, OutputPathCheckedUpFront) {
  const fs::path dir = fs::temp_directory_path() / ("ipaq_out_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_NO_THROW(check_output_path("--json", (dir / "x.json").string()));
  EXPECT_FALSE(fs::exists(dir / "x.json"));
  try {
    check_output_path("--json", "/nonexistent_ipaq_dir/x.json");
    ADD_FAILURE() << "no throw";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), "--json /nonexistent_ipaq_dir/x.json: directory /nonexistent_ipaq_dir does not exist");
  }
  EXPECT_THROW(check_output_path("--csv", dir.string()), IoError);  // a directory, not a file
  fs::remove_all(dir);
}

// qa5 finding 11: a failing gnuplot's exit code is reported as such, not as the raw wait status (3 << 8).
TEST(EvalReportTest, GnuplotFailureReportsItsExitCode) {
  const fs::path dir = fs::temp_directory_path() / ("ipaq_gnuplot_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path fake = dir / "gnuplot";
  write_text_file(fake.string(), "#!/bin/sh\nexit 3\n");
  fs::permissions(fake, fs::perms::owner_all);
  const std::string old_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  ::setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
  EvalReport report;
  report.rows.push_back(EvalRow{});
  std::string message;
  try {
    plot_recall_qps((dir / "x.png").string(), report);
  } catch (const IoError& e) {
    message = e.what();
  }
  ::setenv("PATH", old_path.c_str(), 1);
  EXPECT_NE(message.find("(exit status 3)"), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(GroundTruthTest, MatchesNaiveSearchForBothMetrics) {
  const io::FloatMatrix base = random_matrix(300, 16, 1);
  const io::FloatMatrix queries = random_matrix(7, 16, 2);
  for (const bool ip : {false, true}) {
    const io::IntMatrix fast =
        compute_ground_truth(base, queries, 5, ip ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2);
    // Gaussian data: exact ties have probability 0, so the orders must agree exactly.
    EXPECT_EQ(fast.data, naive_ground_truth(base, queries, 5, ip).data) << (ip ? "ip" : "l2");
  }
  EXPECT_THROW(compute_ground_truth(base, queries, 0, faiss::METRIC_L2), InvalidArgument);
  EXPECT_THROW(compute_ground_truth(base, queries, 301, faiss::METRIC_L2), InvalidArgument);
  EXPECT_THROW(compute_ground_truth(base, random_matrix(1, 8, 3), 1, faiss::METRIC_L2), InvalidArgument);
}

class GroundTruthCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ipaq_gt_cache_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "data");
    fs::create_directories(dir_ / "cache");
  }
  void TearDown() override {
    fs::permissions(dir_ / "data", fs::perms::owner_all);
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(GroundTruthCacheTest, CachesNextToDataThenInCacheDirWhenReadOnly) {
  const io::FloatMatrix base = random_matrix(200, 8, 4);
  const io::FloatMatrix queries = random_matrix(5, 8, 5);
  const io::IntMatrix expected = compute_ground_truth(base, queries, 3, faiss::METRIC_L2);
  GroundTruthCache cache{(dir_ / "data" / "base.fvecs").string(), (dir_ / "cache").string()};
  std::string source;
  EXPECT_EQ(cached_ground_truth(base, queries, 3, faiss::METRIC_L2, cache, &source).data, expected.data);
  EXPECT_EQ(source.rfind("computed (cached in " + (dir_ / "data").string(), 0), 0u) << source;
  EXPECT_EQ(cached_ground_truth(base, queries, 3, faiss::METRIC_L2, cache, &source).data, expected.data);
  EXPECT_EQ(source.rfind("cache ", 0), 0u) << source;
  // Corrupt the cached file: it is ignored and recomputed.
  for (const auto& entry : fs::directory_iterator(dir_ / "data")) fs::resize_file(entry.path(), 10);
  EXPECT_EQ(cached_ground_truth(base, queries, 3, faiss::METRIC_L2, cache, &source).data, expected.data);
  EXPECT_EQ(source.rfind("computed", 0), 0u) << source;
  // Different content → a different key.
  io::FloatMatrix other = base;
  other.data[0] += 1;
  cached_ground_truth(other, queries, 3, faiss::METRIC_L2, cache, &source);
  EXPECT_EQ(source.rfind("computed", 0), 0u) << source;
  // A read-only data directory is left alone (even when running as root).
  for (const auto& entry : fs::directory_iterator(dir_ / "data")) fs::remove(entry.path());
  fs::permissions(dir_ / "data", fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_EQ(cached_ground_truth(base, queries, 3, faiss::METRIC_INNER_PRODUCT, cache, &source).n, 5u);
  EXPECT_NE(source.find((dir_ / "cache").string()), std::string::npos) << source;
  EXPECT_TRUE(fs::is_empty(dir_ / "data"));
}

TEST(VectorInputTest, FileSpecsAndNormalisation) {
  EXPECT_EQ(parse_file_spec("a/b.hdf5:test").path, "a/b.hdf5");
  EXPECT_EQ(parse_file_spec("a/b.hdf5:test").dataset, "test");
  EXPECT_EQ(parse_file_spec("x.H5:train").dataset, "");  // extension match is case-sensitive here
  EXPECT_EQ(parse_file_spec("c:/data/x.fvecs").path, "c:/data/x.fvecs");
  EXPECT_EQ(parse_file_spec("x.h5").dataset, "");
  io::FloatMatrix m{2, 2, {3, 4, 0, 0}};
  normalize_rows(m);
  EXPECT_FLOAT_EQ(m.data[0], 0.6f);
  EXPECT_FLOAT_EQ(m.data[1], 0.8f);
  EXPECT_EQ(m.data[2], 0.0f);  // zero rows stay zero
}

TEST(IndexMakerTest, BytesPerVectorAndNprobe) {
  auto pq = make_index(IndexFamily::kFaiss, 32, "PQ8x8np", faiss::METRIC_L2);
  EXPECT_EQ(code_bytes_per_vector(*pq), 8.0);
  EXPECT_EQ(ivf_nprobe(*pq), 0);
  auto ivf = make_index(IndexFamily::kFaiss, 32, "IVF16,PQ4x8", faiss::METRIC_L2);
  EXPECT_EQ(code_bytes_per_vector(*ivf), 4.0);
  EXPECT_TRUE(set_nprobe(*ivf, 7));
  EXPECT_EQ(ivf_nprobe(*ivf), 7);
  EXPECT_EQ(code_bytes_per_vector(*make_index(IndexFamily::kFaiss, 32, "Flat", faiss::METRIC_L2)), 128.0);
  EXPECT_THROW(make_index(IndexFamily::kFaiss, 32, "NoSuchIndex12", faiss::METRIC_L2), InvalidArgument);
  // The ipaq family takes ipaq descriptors and falls back to FAISS's; the FAISS family never takes ipaq's.
  auto tq = make_index(IndexFamily::kIpaq, 32, "TQ4,Rerank2", faiss::METRIC_INNER_PRODUCT);
  EXPECT_GE(code_bytes_per_vector(*tq), 16.0);  // 4 bits x 32 coordinates, plus any per-vector factors
  EXPECT_EQ(code_bytes_per_vector(*make_index(IndexFamily::kIpaq, 32, "PQ8x8np", faiss::METRIC_L2)), 8.0);
  EXPECT_THROW(make_index(IndexFamily::kFaiss, 32, "TQ4", faiss::METRIC_L2), InvalidArgument);
  EXPECT_EQ(parse_metric("ip"), faiss::METRIC_INNER_PRODUCT);
  EXPECT_THROW(parse_metric("cosine"), InvalidArgument);
}

TEST(EvalRunnerTest, ExactIndexHasRecallOneAndRowsFollowSettings) {
  const io::FloatMatrix base = random_matrix(400, 16, 6);
  const io::FloatMatrix queries = random_matrix(20, 16, 7);
  const io::IntMatrix gt = compute_ground_truth(base, queries, 10, faiss::METRIC_L2);
  EvalSettings settings;
  settings.k = 10;
  settings.threads = 2;
  settings.reranks = {2};
  const auto flat = evaluate_descriptor(IndexFamily::kFaiss, "Flat", base, queries, gt, settings, {});
  ASSERT_EQ(flat.size(), 2u);  // no rerank + rerank 2
  for (const EvalRow& row : flat) {
    EXPECT_DOUBLE_EQ(row.recall, 1.0);
    EXPECT_GT(row.qps_single, 0);
    EXPECT_EQ(row.bytes_per_vector, 64.0);
  }
  EXPECT_EQ(flat[1].rerank, 2.0f);
  settings.reranks.clear();
  settings.nprobes = {1, 16};
  settings.train_size = 200;
  const auto ivf = evaluate_descriptor(IndexFamily::kFaiss, "IVF16,Flat", base, queries, gt, settings, {});
  ASSERT_EQ(ivf.size(), 2u);
  EXPECT_EQ(ivf[0].nprobe, 1);
  EXPECT_DOUBLE_EQ(ivf[1].recall, 1.0);  // nprobe = nlist is exhaustive
  EXPECT_LT(ivf[0].recall, ivf[1].recall);
  settings.k = 401;
  EXPECT_THROW(evaluate_descriptor(IndexFamily::kFaiss, "Flat", base, queries, gt, settings, {}),
               InvalidArgument);
}

TEST(JsonWriterTest, WritesEscapedNestedValues) {
  JsonWriter w;
  w.begin_object();
  w.field("name", "a\"b\\c\n");
  w.field("n", 3);
  w.field("x", 0.5);
  w.field("bad", std::nan(""));
  w.key("list");
  w.begin_array();
  w.value(true);
  w.begin_object();
  w.end_object();
  w.end_array();
  w.end_object();
  EXPECT_EQ(w.str(), R"({"name":"a\"b\\c\u000a","n":3,"x":0.5,"bad":null,"list":[true,{}]})");
}

}  // namespace
}  // namespace ipaq::cli
