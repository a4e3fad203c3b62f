// WriterPreferringMutex: a shared mutex under which a waiting writer is not starved by a stream of
// readers (glibc's pthread_rwlock, behind std::shared_mutex, prefers readers: with searches arriving
// back to back, an add could wait forever).
//
// A writer takes `gate_` first and holds it until it has the exclusive lock; a reader passes through
// `gate_` (lock + unlock) before taking the shared lock, so new readers queue behind a waiting writer
// while readers already inside finish. Satisfies SharedMutex: use with std::unique_lock /
// std::shared_lock. Not recursive. Thread-safe by construction.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace ipaq::storage {

class WriterPreferringMutex {
 public:
  void lock() {
    gate_.lock();
    shared_.lock();
  }
  void unlock() {
    shared_.unlock();
    gate_.unlock();
  }
  void lock_shared() {
    { std::lock_guard<std::mutex> pass(gate_); }
    shared_.lock_shared();
  }
  void unlock_shared() { shared_.unlock_shared(); }

 private:
  std::mutex gate_;
  std::shared_mutex shared_;
};

}  // namespace ipaq::storage
