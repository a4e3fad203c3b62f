// Runs the built `ipaq asq` command: a good run prints the documented JSON fields, bad input exits
// non-zero with a message naming the problem.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace {

struct CliRun {
  int exit_code;
  std::string output;
};

CliRun run(const std::string& args) {
  const std::string cmd = std::string(IPAQ_CLI_PATH) + " asq " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, got);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(AsqCli, JsonHasTheDocumentedFields) {
  const CliRun r = run("--dist lognormal --d 2000 --seed 3 --bits 3 --solver auto --levels --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* field : {"\"d\":2000", "\"s\":8", "\"solver\":\"auto\"", "\"objective\":\"mse\"",
                            "\"vnmse\":", "\"max_var\":", "\"sort_ms\":", "\"solve_ms\":", "\"peak_rss_mb\":",
                            "\"levels\":["}) {
    EXPECT_NE(r.output.find(field), std::string::npos) << field << " missing in " << r.output;
  }
}

TEST(AsqCli, SolversAgreeOnVnmse) {
  std::string vnmse;
  for (const char* solver : {"zipml", "quiver", "quiver-accel", "wilber", "auto"}) {
    const CliRun r = run(std::string("--dist exponential --d 300 --bits 3 --json --solver ") + solver);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const size_t at = r.output.find("\"vnmse\":");
    ASSERT_NE(at, std::string::npos);
    const std::string value = r.output.substr(at, r.output.find(',', at) - at);
    if (vnmse.empty()) vnmse = value;
    EXPECT_EQ(value, vnmse) << solver;  // printed to 10 significant digits
  }
}

TEST(AsqCli, BadInputExitsNonZeroWithMessage) {
  struct Bad {
    const char* args;
    const char* message;
  } cases[] = {
      {"--dist lognormal --d 100 --bits 17", "bits=17 is outside [1, 16]"},
      {"--dist lognormal --d 100 --bits 0", "bits=0"},
      {"--dist cauchy --d 100 --bits 2", "unknown distribution 'cauchy'"},
      {"--dist lognormal --d 100 --bits 2 --solver magic", "unknown solver 'magic'"},
      {"--input /nonexistent/file.fvecs --bits 2", "/nonexistent/file.fvecs"},
      {"--dist lognormal --d 100 --bits 2 --objective weighted", "needs --weights"},
  };
  for (const Bad& c : cases) {
    const CliRun r = run(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << " printed: " << r.output;
  }
}

}  // namespace
