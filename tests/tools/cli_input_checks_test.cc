// End-to-end checks of the `ipaq` executable's input validation (qa5 findings 2, 3, 5-13): bad input
// fails early with a message naming the problem (never a crash, a foreign exception text or silent
// nonsense), and no database or staging directory is left behind; an interrupted build removes its
// staging directory, and a later build sweeps those of dead builds. Data: small generated files.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <thread>

#include "lib/io/vector_file.h"
#include "tests/tools/cli_fixture.h"

extern char** environ;

namespace ipaq::cli_test {
namespace {

class CliInputTest : public CliTest {
 protected:
  // n x 16 normal vectors (fixed seed), each value times `scale`, row `huge_row` (if < n) set to 3e38.
  std::string vectors(const std::string& name, size_t n, float scale = 1, size_t huge_row = SIZE_MAX) const {
    std::mt19937 gen(7);
    std::normal_distribution<float> normal;
    io::FloatMatrix m{n, 16, std::vector<float>(n * 16)};
    for (float& v : m.data) v = normal(gen) * scale;
    if (huge_row < n) m.data[huge_row * 16 + 3] = 3e38f;
    io::write_fvecs(path(name), m);
    return path(name);
  }
  // No database and no hidden staging directory of it in the test directory.
  void expect_nothing_left(const std::string& name) const {
    EXPECT_FALSE(fs::exists(fs::symlink_status(path(name)))) << name;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().filename().string().find(".building-"), std::string::npos) << entry.path();
    }
  }
};

// Finding 2: finite values whose float32 squared norm overflows are bad input, like NaN.
TEST_F(CliInputTest, VectorsWhoseSquaredNormOverflowsAreRejected) {
  const std::string base = vectors("base.fvecs", 300), queries = vectors("q.fvecs", 20);
  const std::string huge = vectors("huge.fvecs", 300, 1, 11), scaled = vectors("scaled.fvecs", 300, 1e19f);
  for (const char* index : {"RaBitQ1", "IVF8,TQ4", "TQ4,Rerank"}) {
    EXPECT_FAILS_WITH(ipaq("build --base " + huge + " --index " + index + " --db " + path("db")),
                      "huge.fvecs (vectors): row 11: squared norm overflows float32");
  }
  EXPECT_FAILS_WITH(ipaq("build --base " + scaled + " --index TQ4 --db " + path("db")),
                    "scaled.fvecs (vectors): row 0: squared norm overflows float32");
  expect_nothing_left("db");
  EXPECT_FAILS_WITH(ipaq("eval --base " + huge + " --queries " + queries + " --metric l2 --index IVF8,TQ4"),
                    "row 11: squared norm overflows float32");
  EXPECT_FAILS_WITH(ipaq("eval --base " + huge + " --queries " + queries + " --metric l2 --faiss PQ4x8np"),
                    "row 11: squared norm overflows float32");
  ASSERT_EQ(ipaq("build --base " + base + " --index TQ4 --db " + path("db")).status, 0);
  EXPECT_FAILS_WITH(ipaq("search --db " + path("db") + " --queries " + huge + " -k 5"),
                    "row 11: squared norm overflows float32");
}

// Findings 3, 5, 12: descriptors name their problem, before any work.
TEST_F(CliInputTest, BadDescriptorsNameTheProblemBeforeAnyWork) {
  const std::string base = vectors("base.fvecs", 300), queries = vectors("q.fvecs", 20);
  EXPECT_FAILS_WITH(ipaq("build --base " + base + " --index TQ5 --db " + path("db")),
                    "'TQ5': codec 'TQ5': bits 5 not supported");
  EXPECT_FAILS_WITH(ipaq("build --base " + base + " --index IVF8,RaBitQ99 --db " + path("db")), "RaBitQ99");
  for (const char* pq : {"PQ16x64", "PQ16x32", "PQ16x40", "PQ0"}) {
    const CliRun run = ipaq("build --base " + base + " --index " + pq + " --db " + path("db"));
    EXPECT_EQ(run.status, 1) << pq << ": " << run.output;  // 1: an error, not a signal (SIGFPE was 136)
    EXPECT_TRUE(run.output.find("FAISS PQ bits") != std::string::npos ||
                run.output.find("sub-quantizers must be >= 1") != std::string::npos)
        << run.output;
  }
  expect_nothing_left("db");
  const std::string eval = "eval --base " + base + " --queries " + queries + " --metric l2 ";
  EXPECT_FAILS_WITH(ipaq(eval + "--faiss PQ16x64"), "FAISS PQ bits per sub-quantizer must be in [1, 16], got 64");
  // A bad descriptor anywhere stops eval before the ground truth and before the good ones are built.
  for (const char* bad : {"--index RaBitQ1 --faiss Foo", "--index TQ5", "--faiss Flat --index TQ0"}) {
    const CliRun run = ipaq(eval + bad);
    EXPECT_NE(run.status, 0) << run.output;
    EXPECT_EQ(run.output.find("ground truth"), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("training"), std::string::npos) << run.output;
  }
}

// Findings 6, 7, 8, 13: --db names, filesystem errors, --batch, --seed, asq --d.
TEST_F(CliInputTest, BuildOptionsAndDatabasePaths) {
  const std::string base = vectors("base.fvecs", 300);
  const std::string build = "build --base " + base + " --index TQ4 --db ";
  // A trailing slash names the directory itself.
  const CliRun slash = ipaq(build + path("ts") + "/");
  ASSERT_EQ(slash.status, 0) << slash.output;
  EXPECT_TRUE(fs::is_directory(path("ts")));
  // A dangling symlink is refused up front (before training), and its target is not created.
  fs::create_symlink(path("target"), path("link"));
  const CliRun link = ipaq(build + path("link"));
  EXPECT_NE(link.status, 0);
  EXPECT_NE(link.output.find("is a symbolic link; choose a new directory"), std::string::npos) << link.output;
  EXPECT_EQ(link.output.find("training"), std::string::npos) << link.output;
  EXPECT_FALSE(fs::exists(path("target")));
  // A directory that cannot be created: an ipaq error naming the directory (the build's staging directory
  // beside --db, which DurableIndex::create makes), not std::filesystem's text.
  const CliRun proc = ipaq(build + "/proc/ipaq_cli_test_db");
  EXPECT_EQ(proc.status, 1) << proc.output;
  EXPECT_NE(proc.output.find("cannot create directory /proc/.ipaq_cli_test_db.building-"), std::string::npos)
      << proc.output;
  EXPECT_EQ(proc.output.find("filesystem error"), std::string::npos) << proc.output;
  // A batch far beyond n is capped at n (it allocated the batch's ids first: std::bad_alloc).
  const CliRun batch = ipaq(build + path("b") + " --batch 99999999999");
  EXPECT_EQ(batch.status, 0) << batch.output;
  EXPECT_FAILS_WITH(ipaq(build + path("s") + " --seed -1"), "option --seed must be in [0, ");
  EXPECT_FAILS_WITH(ipaq("asq --dist normal --d 99999999999999 --bits 3"), "option --d must be in [1, 1073741824]");
  expect_nothing_left("s");
}

// Findings 10, 11: given ground truth and output paths are checked before searching / evaluating.
TEST_F(CliInputTest, GroundTruthAndOutputsCheckedFirst) {
  const std::string base = vectors("base.fvecs", 300), queries = vectors("q.fvecs", 20);
  ASSERT_EQ(ipaq("build --base " + base + " --index TQ4 --db " + path("db")).status, 0);
  io::IntMatrix gt{20, 5, std::vector<int64_t>(100, 1)};
  gt.data[7 * 5 + 2] = 99999;
  io::write_ivecs(path("gt_bad.ivecs"), gt);
  gt.data[7 * 5 + 2] = -7;
  io::write_ivecs(path("gt_neg.ivecs"), gt);
  const std::string search = "search --db " + path("db") + " --queries " + queries + " -k 5 ";
  for (const char* bad : {"gt_bad.ivecs", "gt_neg.ivecs"}) {
    const CliRun run = ipaq(search + "--gt " + path(bad));
    EXPECT_NE(run.status, 0);
    EXPECT_NE(run.output.find(": row 7 holds id "), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("searched"), std::string::npos) << run.output;  // before the search
  }
  for (const std::string& bad : {std::string("--out /nonexistent_ipaq/r.ivecs"), "--gt " + path("missing.ivecs")}) {
    const CliRun run = ipaq(search + bad);
    EXPECT_NE(run.status, 0);
    EXPECT_EQ(run.output.find("searched"), std::string::npos) << run.output;
  }
  const std::string eval = "eval --base " + base + " --queries " + queries + " --metric l2 -k 5 --index TQ4 ";
  EXPECT_FAILS_WITH(ipaq(eval + "--gt " + path("gt_bad.ivecs")), "row 7 holds id 99999 outside [0, 300)");
  for (const std::string& bad : {std::string("--json /nonexistent_ipaq/x.json"), "--csv " + dir_.string(),
                                 std::string("--plot /nonexistent_ipaq/x.png")}) {
    const CliRun run = ipaq(eval + bad);
    EXPECT_NE(run.status, 0);
    EXPECT_EQ(run.output.find("ground truth"), std::string::npos) << run.output;  // before any work
  }
}

// Finding 9: SIGINT / SIGTERM during a build remove its staging directory and end the process by that
// signal; a later build of the same --db removes staging directories whose process is dead.
TEST_F(CliInputTest, InterruptedBuildLeavesNoStagingDirectory) {
  const std::string base = vectors("base.fvecs", 4000);
  for (int sig : {SIGINT, SIGTERM}) {
    const std::string db = path("db" + std::to_string(sig));
    // --batch 1: 4000 atomic writes, long enough to be caught mid-way once the staging directory exists.
    std::vector<std::string> args = {IPAQ_CLI_PATH, "build", "--base", base, "--index", "TQ4", "--db", db,
                                     "--batch", "1"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t child = 0;
    ASSERT_EQ(::posix_spawn(&child, IPAQ_CLI_PATH, nullptr, nullptr, argv.data(), environ), 0);
    const fs::path staging = fs::path(dir_) / (".db" + std::to_string(sig) + ".building-" + std::to_string(child));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!fs::exists(staging / "CURRENT") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::kill(child, sig);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      GTEST_SKIP() << "the build finished before the signal";
    }
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
    EXPECT_FALSE(fs::exists(staging)) << staging;
    expect_nothing_left("db" + std::to_string(sig));
  }
  // A staging directory of a dead build (SIGKILL cannot be caught) is swept by the next build.
  const fs::path stale = fs::path(dir_) / ".db.building-999999999";
  fs::create_directories(stale);
  const fs::path other = fs::path(dir_) / ".other.building-999999999";
  fs::create_directories(other);
  ASSERT_EQ(ipaq("build --base " + base + " --nb 100 --index TQ4 --db " + path("db")).status, 0);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(other));  // another database's: not this build's to judge
}

}  // namespace
}  // namespace ipaq::cli_test
