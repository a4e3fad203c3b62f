// End-to-end tests of `ipaq eval` (the built executable): real runs on the shared datasets with recall
// checks, and its bad-input paths (non-zero exit and a message naming the problem).
#include "lib/io/vector_file.h"
#include "tests/tools/cli_fixture.h"

namespace ipaq::cli_test {
namespace {

// ---------- eval ----------

TEST_F(CliTest, EvalSift5kL2) {
  const CliRun run = ipaq("eval --base " + kSiftBase + " --queries " + kSiftQueries +
                       " --metric l2 -k 10 --index TQ4 --faiss Flat PQ16x8np IVF32,Flat --nprobe 2 32 --rerank 4 --json " +
                       path("e.json") + " --csv " + path("e.csv"));
  ASSERT_EQ(run.status, 0) << run.output;
  // Exact search must reproduce the ground truth exactly, and so must IVF probing every list.
  EXPECT_EQ(recall_of(run.output, "faiss Flat"), 1.0) << run.output;
  EXPECT_EQ(recall_of(run.output, "faiss IVF32,Flat np32"), 1.0) << run.output;
  EXPECT_LT(recall_of(run.output, "faiss IVF32,Flat np2"), 1.0) << run.output;
  // PQ 16 bytes measured 0.525 on this data; 0.40 is a wiring floor (misaligned ids give ~0.002), and
  // exact rerank of 4k candidates must not lose recall.
  const double pq = recall_of(run.output, "faiss PQ16x8np");
  EXPECT_GT(pq, 0.40) << run.output;
  EXPECT_GE(recall_of(run.output, "faiss PQ16x8np rr4"), pq) << run.output;
  // ipaq TQ4 (72 B) measured 0.88; 0.75 is a floor under it, far above wiring errors.
  EXPECT_GT(recall_of(run.output, "ipaq TQ4"), 0.75) << run.output;
  EXPECT_GE(recall_of(run.output, "ipaq TQ4 rr4"), recall_of(run.output, "ipaq TQ4")) << run.output;
  EXPECT_NE(run.output.find("FAISS build: OPTIMIZE"), std::string::npos) << run.output;
  std::ifstream json(path("e.json"));
  const std::string text((std::istreambuf_iterator<char>(json)), {});
  EXPECT_NE(text.find("\"descriptor\":\"PQ16x8np\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"faiss_build\":\"OPTIMIZE"), std::string::npos) << text;
  std::ifstream csv(path("e.csv"));
  size_t lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 1u + 2 + 2 + 2 + 4);  // header + TQ4×2 + Flat×2 + PQ×2 + IVF×(2 nprobe × 2)
  // The second run reads the cached ground truth.
  const CliRun again = ipaq("eval --base " + kSiftBase + " --queries " + kSiftQueries + " --metric l2 --faiss Flat");
  EXPECT_NE(again.output.find("ground truth: cache "), std::string::npos) << again.output;
  EXPECT_EQ(recall_of(again.output, "faiss Flat"), 1.0) << again.output;
}

TEST_F(CliTest, EvalBgeInnerProductWithGivenGroundTruthAndPlot) {
  // Ground truth written by hand from an exact IP search run: compare eval's own Flat row against it.
  const CliRun first = ipaq("eval --base " + kBgeParagraphs + " --queries " + kBgeSentences +
                         " --nq 50 --metric ip -k 5 --faiss Flat --plot " + path("p.png"));
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(recall_of(first.output, "faiss Flat"), 1.0) << first.output;
  ASSERT_TRUE(fs::exists(path("p.png")));
  std::ifstream png(path("p.png"), std::ios::binary);
  char magic[4] = {};
  png.read(magic, 4);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  // A ground-truth file that disagrees with the truth lowers recall: ids shifted by one.
  ipaq::io::IntMatrix wrong{50, 5, std::vector<int64_t>(250)};
  for (size_t i = 0; i < wrong.data.size(); ++i) wrong.data[i] = static_cast<int64_t>(i % 500);
  ipaq::io::write_ivecs(path("wrong.ivecs"), wrong);
  const CliRun off = ipaq("eval --base " + kBgeParagraphs + " --queries " + kBgeSentences +
                       " --nq 50 --metric ip -k 5 --faiss Flat --gt " + path("wrong.ivecs"));
  ASSERT_EQ(off.status, 0) << off.output;
  EXPECT_LT(recall_of(off.output, "faiss Flat"), 0.2) << off.output;
}

TEST_F(CliTest, EvalFashionMnistIdxGzipNormalised) {
  // The IDX (gzip) reader and --normalize through the command: Fashion-MNIST test images as base, the
  // first 20 training images as queries, cosine similarity. Exact search must match the ground truth.
  const std::string fashion = "/usr/share/datasets/fashion-mnist/";
  if (!fs::exists(fashion + "t10k-images-idx3-ubyte.gz")) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const CliRun run = ipaq("eval --base " + fashion + "t10k-images-idx3-ubyte.gz --queries " + fashion +
                          "train-images-idx3-ubyte.gz --nq 20 --normalize --metric ip -k 10 --faiss Flat");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("(10000 x 784)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("(L2-normalised)"), std::string::npos) << run.output;
  EXPECT_EQ(recall_of(run.output, "faiss Flat"), 1.0) << run.output;
}

TEST_F(CliTest, EvalWorkloadWeightedAsqTakesWorkloadFile) {
  const std::string common = "eval --base " + kSiftBase + " --queries " + kSiftQueries + " --metric l2 --index ASQ4w";
  // A workload-weighted codec without sample queries, or with queries of another dimension, is refused.
  EXPECT_FAILS_WITH(ipaq(common), "give sample queries with --workload FILE");
  EXPECT_FAILS_WITH(ipaq(common + " --workload " + kBgeSentences), "have dimension 1024 but base vectors have 128");
  // With a workload (here the base vectors stand in for a query sample) it trains, and other codecs ignore
  // it. ASQ4w measured 0.85 on this data; 0.75 is a floor far above wiring errors (misaligned ids ~0.002).
  const CliRun run = ipaq(common + " TQ4 --workload " + kSiftBase);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_GT(recall_of(run.output, "ipaq ASQ4w"), 0.75) << run.output;
  EXPECT_GT(recall_of(run.output, "ipaq TQ4"), 0.75) << run.output;
}

TEST_F(CliTest, EvalBadInputs) {
  const std::string queries = " --queries " + kSiftQueries;
  EXPECT_FAILS_WITH(ipaq("eval --base " + path("missing.fvecs") + queries + " --metric l2 --faiss Flat"),
                    "missing.fvecs: cannot open");
  EXPECT_FAILS_WITH(ipaq("eval --base " + write_file("empty.fvecs", "") + queries + " --metric l2 --faiss Flat"),
                    "empty");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kBgeSentences + queries + " --metric l2 --faiss Flat"), "dimension");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 --faiss NoSuchIndex"),
                    "NoSuchIndex");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 -k 0 --faiss Flat"), "-k");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 -k 5001 --faiss Flat"), "5001");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric cosine --faiss Flat"), "cosine");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2"), "nothing to evaluate");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 --faiss Flat --bogus 1"),
                    "unknown option '--bogus'");
  EXPECT_FAILS_WITH(ipaq("eval" + queries + " --metric l2 --faiss Flat"), "missing required option --base");
  EXPECT_FAILS_WITH(ipaq("nosuchcommand"), "unknown command");
  // Too few training vectors for FAISS's k-means: ipaq's message before any training (not FAISS's assertion).
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 --train-size 100 --faiss IVF128,PQ8x4fs"),
                    "'IVF128,PQ8x4fs' needs at least 128 training vectors");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 --train-size 200 --faiss PQ8"),
                    "'PQ8' needs at least 256 training vectors");
  EXPECT_FAILS_WITH(ipaq("eval --base " + kSiftBase + queries + " --metric l2 --train-size 100 --index IVF128,TQ4"),
                    "'IVF128,TQ4' needs at least 128 training vectors");
  const CliRun help = ipaq("eval --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.output.find("--faiss DESC..."), std::string::npos) << help.output;
}

}  // namespace
}  // namespace ipaq::cli_test
