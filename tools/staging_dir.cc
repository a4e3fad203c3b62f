#include "tools/staging_dir.h"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <system_error>

namespace ipaq::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStagingInfix = ".building-";

// True unless `pid` names no process (kill(pid, 0) fails with ESRCH; EPERM means it exists, owned by another
// user).
bool process_exists(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

void remove_tree(const fs::path& dir) {
  // A write still under way may create a file between the walk and rmdir: a few attempts.
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (!ec) return;
  }
}

// ".NAME.building-" (built by append: GCC 12 warns falsely (-Wrestrict) on "." + std::string).
std::string staging_prefix(const fs::path& db_path) {
  std::string prefix(1, '.');
  prefix.append(db_path.filename().string()).append(kStagingInfix);
  return prefix;
}

fs::path parent_of(const fs::path& db_path) {
  return db_path.has_parent_path() ? db_path.parent_path() : fs::path(".");
}

}  // namespace

fs::path staging_path(const fs::path& db_path, pid_t pid) {
  return parent_of(db_path) / staging_prefix(db_path).append(std::to_string(pid));
}

size_t remove_stale_staging_dirs(const fs::path& db_path) {
  const fs::path parent = parent_of(db_path);
  const std::string prefix = staging_prefix(db_path);
  size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    if (process_exists(std::strtol(digits.c_str(), nullptr, 10))) continue;
    remove_tree(it->path());
    ++removed;
  }
  return removed;
}

namespace {

// The signal received (0: none). Written by the handler, polled by the watcher thread; a lock-free atomic is
// async-signal-safe.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM};

extern "C" void on_cleanup_signal(int sig) {
  int none = 0;
  if (!g_signal.compare_exchange_strong(none, sig)) std::_Exit(128 + sig);  // second signal: give up now
}

}  // namespace

StagingCleanup::StagingCleanup(fs::path staging) : staging_(std::move(staging)) {
  for (size_t i = 0; i < 2; ++i) {
    struct sigaction action = {};
    action.sa_handler = on_cleanup_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(kCleanupSignals[i], nullptr, &previous_[i]);
    // A signal the process was started ignoring (nohup, a background job of a script) stays ignored.
    if (previous_[i].sa_handler != SIG_IGN) ::sigaction(kCleanupSignals[i], &action, nullptr);
  }
  watcher_ = std::thread([this] { watch(); });
}

StagingCleanup::~StagingCleanup() {
  stop_ = true;
  watcher_.join();
  for (size_t i = 0; i < 2; ++i) ::sigaction(kCleanupSignals[i], &previous_[i], nullptr);
}

void StagingCleanup::watch() {
  while (!stop_) {
    const int sig = g_signal.load();
    if (sig == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // how long the destructor may wait
      continue;
    }
    const std::lock_guard<std::mutex> no_holder(hold_);  // never in the middle of a held section
    remove_tree(staging_);
    // End the process by the signal itself (default action), so the parent sees the usual status.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    std::_Exit(128 + sig);  // not reached unless the signal is blocked in this thread
  }
}

}  // namespace ipaq::cli
