// The hidden sibling directory `ipaq build` writes a database into before renaming it to --db
// (".NAME.building-PID"), and its cleanup when the build does not finish.
//
// remove_stale_staging_dirs: removes the staging directories of the same --db left by builds whose process
//   is gone (killed with SIGKILL, power loss); a live PID's directory is left alone. Returns how many it
//   removed. Errors while removing are ignored (the next build retries).
// StagingCleanup: for its lifetime, SIGINT and SIGTERM remove the staging directory and then end the process
//   by the same signal (so a shell sees the usual status). The handler only stores the signal number in a
//   lock-free atomic (async-signal-safe); a watcher thread polls it every 20 ms, removes the directory and
//   re-raises the signal with its default action. A second signal before that ends the process at once
//   (_Exit). Signals the process was started ignoring stay ignored. The destructor stops the watcher and
//   restores the previous handlers. One instance per process; not copyable.
//   hold_removal(): while the returned lock lives, the removal waits (a signal that arrives meanwhile is acted
//   on when the lock is released). Hold it across work that re-creates the staging directory if it vanishes:
//   RocksDB's DB::Open calls CreateDirIfMissing on the database path for each column family it creates, after
//   CURRENT exists, so a removal racing with it leaves a directory behind.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace ipaq::cli {

std::filesystem::path staging_path(const std::filesystem::path& db_path, pid_t pid);

size_t remove_stale_staging_dirs(const std::filesystem::path& db_path);

class StagingCleanup {
 public:
  explicit StagingCleanup(std::filesystem::path staging);
  ~StagingCleanup();
  StagingCleanup(const StagingCleanup&) = delete;
  StagingCleanup& operator=(const StagingCleanup&) = delete;

  [[nodiscard]] std::unique_lock<std::mutex> hold_removal() const { return std::unique_lock(hold_); }

 private:
  void watch();
  std::filesystem::path staging_;
  mutable std::mutex hold_;  // held by hold_removal()'s callers; the watcher takes it to remove
  struct sigaction previous_[2] = {};
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

}  // namespace ipaq::cli
