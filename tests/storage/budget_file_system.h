// BudgetFileSystem: a rocksdb::FileSystem wrapper that simulates a full disk for the storage tests.
//
// Every byte appended to any writable file (WAL, SST, MANIFEST) is taken from one shared budget. When
// an append does not fit, the bytes that still fit are written (as a real write() that hits ENOSPC
// does) and the call returns IOStatus::NoSpace. set_budget(-1) = unlimited. Thread-safe (atomic budget).
#pragma once

#include <rocksdb/file_system.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

namespace ipaq::storage::testing {

class BudgetFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit BudgetFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  static const char* kClassName() { return "BudgetFileSystem"; }
  const char* Name() const override { return kClassName(); }

  void set_budget(int64_t bytes) { budget_.store(bytes); }

  // LockFile / UnlockFile calls that reached this file system (RocksDB locks only its LOCK file).
  int lock_calls() const { return lock_calls_.load(); }
  int unlock_calls() const { return unlock_calls_.load(); }
  rocksdb::IOStatus LockFile(const std::string& name, const rocksdb::IOOptions& options, rocksdb::FileLock** lock,
                             rocksdb::IODebugContext* dbg) override {
    ++lock_calls_;
    return target()->LockFile(name, options, lock, dbg);
  }
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    ++unlock_calls_;
    return target()->UnlockFile(lock, options, dbg);
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) result->reset(new BudgetFile(std::move(file), &budget_));
    return s;
  }

 private:
  class BudgetFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    BudgetFile(std::unique_ptr<rocksdb::FSWritableFile>&& file, std::atomic<int64_t>* budget)
        : FSWritableFileOwnerWrapper(std::move(file)), budget_(budget) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      const size_t fits = take(data.size());
      rocksdb::IOStatus s = target()->Append(rocksdb::Slice(data.data(), fits), options, dbg);
      if (s.ok() && fits < data.size()) s = rocksdb::IOStatus::NoSpace("test budget exhausted");
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& /*info*/, rocksdb::IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }

   private:
    // Bytes of an append of n that fit in the budget (all of them when unlimited).
    size_t take(size_t n) {
      int64_t left = budget_->load();
      while (left >= 0) {
        const int64_t granted = std::min<int64_t>(left, static_cast<int64_t>(n));
        if (budget_->compare_exchange_weak(left, left - granted)) return static_cast<size_t>(granted);
      }
      return n;
    }
    std::atomic<int64_t>* budget_;
  };

  std::atomic<int> lock_calls_{0};
  std::atomic<int> unlock_calls_{0};
  std::atomic<int64_t> budget_{-1};
};

}  // namespace ipaq::storage::testing
