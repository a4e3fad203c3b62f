// Test fixture for end-to-end tests of the built `ipaq` executable (path in IPAQ_CLI_PATH): runs it in
// a shell with stdout+stderr captured, a private temporary directory per test (also the ground-truth
// cache), and helpers to read the printed eval table.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace ipaq::cli_test {

namespace fs = std::filesystem;

inline const std::string kData = IPAQ_SHARED_DATA_DIR;
inline const std::string kSiftBase = kData + "/sift5k/base.fvecs";
inline const std::string kSiftQueries = kData + "/sift5k/queries.fvecs";
inline const std::string kBgeParagraphs = kData + "/bge-m3-1024/paragraphs.fvecs";
inline const std::string kBgeSentences = kData + "/bge-m3-1024/sentences.fvecs";

struct CliRun {
  int status = -1;     // exit code
  std::string output;  // stdout and stderr together
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ipaq_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `ipaq ARGS` with the ground-truth cache inside the test directory.
  CliRun ipaq(const std::string& args) const {
    const std::string command = "IPAQ_CACHE_DIR=" + (dir_ / "cache").string() +
                                " OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 " IPAQ_CLI_PATH " " + args +
                                " 2>&1";
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    char buf[4096];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, got);
    const int raw = ::pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write_file(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }
  // The recall@k column of the table row that starts with `label`.
  static double recall_of(const std::string& output, const std::string& label) {
    const std::regex row("\\n" + std::regex_replace(label, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                         R"( +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +([0-9.]+)\n)");
    std::smatch m;
    if (!std::regex_search(output, m, row)) return -1;
    return std::stod(m[1]);
  }
  fs::path dir_;
};

// Expects a failed run whose output contains `fragment`.
#define EXPECT_FAILS_WITH(run, fragment)                                      \
  do {                                                                        \
    const CliRun r_ = (run);                                                     \
    EXPECT_NE(r_.status, 0) << r_.output;                                     \
    EXPECT_NE(r_.output.find(fragment), std::string::npos) << r_.output;      \
  } while (0)

}  // namespace ipaq::cli_test
