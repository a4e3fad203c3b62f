// The staging directory of `ipaq build` (tools/staging_dir.h): its name, and the sweep that removes the
// staging directories of the same --db whose process is dead (qa5 finding 9) while leaving live builds',
// other databases' and non-matching names alone; and that a signal's removal waits for a held section (the
// section re-creates the directory, as RocksDB's DB::Open does). The signal path is tested end to end in
// cli_input_checks_test.cc.
#include "tools/staging_dir.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace ipaq::cli {
namespace {

namespace fs = std::filesystem;

// A PID that names no process: a child that has exited and been reaped (PIDs are not reused at once).
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(StagingDirTest, SweepRemovesOnlyDeadBuildsOfTheSameDatabase) {
  const fs::path dir = fs::temp_directory_path() / ("ipaq_staging_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path db = dir / "db";
  EXPECT_EQ(staging_path(db, 42), dir / ".db.building-42");
  EXPECT_EQ(staging_path(fs::path("db"), 7), fs::path(".") / ".db.building-7");
  const pid_t dead = dead_pid();
  const fs::path stale = staging_path(db, dead);
  fs::create_directories(stale);
  std::ofstream(stale / "000004.log") << "half a database";
  const fs::path live = staging_path(db, ::getpid());  // this process: alive
  const fs::path other = staging_path(dir / "other", dead);
  const fs::path not_a_pid = dir / ".db.building-x1";
  for (const fs::path& p : {live, other, not_a_pid}) fs::create_directories(p);
  std::ofstream(staging_path(db, dead + 1)) << "a file, not a staging directory";

  EXPECT_EQ(remove_stale_staging_dirs(db), 1u);
  EXPECT_FALSE(fs::exists(stale));
  for (const fs::path& p : {live, other, not_a_pid, staging_path(db, dead + 1)}) EXPECT_TRUE(fs::exists(p)) << p;
  EXPECT_EQ(remove_stale_staging_dirs(db), 0u);
  EXPECT_EQ(remove_stale_staging_dirs(dir / "missing_parent" / "db"), 0u);  // no parent: nothing, no throw
  fs::remove_all(dir);
}

// A signal during a held section: the section runs to its end (it records that it did), the removal runs
// after it, so the directory the section re-created (as DB::Open does) is gone, and the process still ends by
// the signal. Without the hold the watcher (polling every 20 ms) removes the directory and ends the process
// during the section's 200 ms sleep: the section never finishes.
TEST(StagingDirTest, SignalRemovalWaitsForAHeldSection) {
  const fs::path dir = fs::temp_directory_path() / ("ipaq_staging_hold_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path staging = dir / ".db.building-1", section_done = dir / "section_done";
  for (int sig : {SIGTERM, SIGINT}) {
    fs::create_directories(staging);
    fs::remove(section_done);
    EXPECT_EXIT(
        {
          const StagingCleanup cleanup(staging);
          {
            const auto hold = cleanup.hold_removal();
            ::raise(sig);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            fs::create_directories(staging);  // re-created, as DB::Open's CreateDirIfMissing would
            std::ofstream(staging / "OPTIONS-000007") << "x";
            std::ofstream(section_done) << "the held section ran to its end";
          }
          std::this_thread::sleep_for(std::chrono::seconds(10));  // the watcher ends the process first
          std::_Exit(0);
        },
        ::testing::KilledBySignal(sig), "");
    EXPECT_TRUE(fs::exists(section_done)) << "signal " << sig;
    EXPECT_FALSE(fs::exists(staging)) << "signal " << sig;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ipaq::cli
