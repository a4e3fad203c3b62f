#include "storage/store_file_system.h"

#include <rocksdb/file_system.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace ipaq::storage {

namespace {

// An OPTIONS file: its Sync/Fsync/RangeSync do nothing (Flush and Close still write the bytes out).
class UnsyncedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  explicit UnsyncedFile(std::unique_ptr<rocksdb::FSWritableFile>&& file) : FSWritableFileOwnerWrapper(std::move(file)) {}
  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override { return rocksdb::IOStatus::OK(); }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override { return rocksdb::IOStatus::OK(); }
  rocksdb::IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
};

// A directory whose fsync after renaming a file to an OPTIONS name does nothing; every other fsync
// (new file synced, CURRENT renamed, deletions, plain Fsync) reaches the disk.
class OptionsRenameUnsyncedDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  explicit OptionsRenameUnsyncedDirectory(std::unique_ptr<rocksdb::FSDirectory>&& dir)
      : FSDirectoryWrapper(std::move(dir)) {}
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    if (dir_options.reason == rocksdb::DirFsyncOptions::kFileRenamed && is_options_file(dir_options.renamed_new_name)) {
      return rocksdb::IOStatus::OK();
    }
    return FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
  }
};

class StoreFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit StoreFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  ~StoreFileSystem() override { release_parked_lock(); }
  static const char* kClassName() { return "IpaqStoreFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok() && is_options_file(name)) *result = std::make_unique<UnsyncedFile>(std::move(*result));
    return s;
  }

  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<OptionsRenameUnsyncedDirectory>(std::move(*result));
    return s;
  }

  // Hands the parked lock over to the first LockFile of its file (DB::Open's); others lock as usual.
  rocksdb::IOStatus LockFile(const std::string& name, const rocksdb::IOOptions& options, rocksdb::FileLock** lock,
                             rocksdb::IODebugContext* dbg) override {
    {
      std::lock_guard guard(mutex_);
      if (parked_ != nullptr && name == parked_name_) {
        *lock = parked_;
        handed_ = parked_;
        parked_ = nullptr;
        return rocksdb::IOStatus::OK();
      }
    }
    return target()->LockFile(name, options, lock, dbg);
  }

  // An unlock of the handed-over lock before confirm_handover (the instance of a DB::Open that failed
  // after taking it) parks the lock again instead of releasing it: the file stays locked throughout.
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    {
      std::lock_guard guard(mutex_);
      if (lock != nullptr && lock == handed_) {
        parked_ = handed_;
        handed_ = nullptr;
        return rocksdb::IOStatus::OK();
      }
    }
    return target()->UnlockFile(lock, options, dbg);
  }

  void confirm_handover() {
    std::lock_guard guard(mutex_);
    handed_ = nullptr;
  }

  rocksdb::IOStatus park_lock(const std::string& name) {
    std::lock_guard guard(mutex_);
    if (parked_ != nullptr || handed_ != nullptr) {
      return rocksdb::IOStatus::InvalidArgument("a LOCK is already parked: ", parked_name_);
    }
    rocksdb::FileLock* lock = nullptr;
    rocksdb::IOStatus s = target()->LockFile(name, rocksdb::IOOptions(), &lock, nullptr);
    if (s.ok()) {
      parked_ = lock;
      parked_name_ = name;
    }
    return s;
  }

  void release_parked_lock() {
    std::lock_guard guard(mutex_);
    if (parked_ == nullptr) return;
    target()->UnlockFile(parked_, rocksdb::IOOptions(), nullptr).PermitUncheckedError();
    parked_ = nullptr;
  }

 private:
  std::mutex mutex_;
  rocksdb::FileLock* parked_ = nullptr;  // taken by park_lock, not yet handed over or released
  rocksdb::FileLock* handed_ = nullptr;  // handed to a DB::Open, not yet confirmed by confirm_handover
  std::string parked_name_;
};

StoreFileSystem& store_file_system(rocksdb::Env& store_env) {
  auto* fs = dynamic_cast<StoreFileSystem*>(store_env.GetFileSystem().get());
  if (fs == nullptr) throw std::logic_error("store lock: the Env does not come from make_store_env");
  return *fs;
}

}  // namespace

bool is_options_file(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.rfind("OPTIONS-", 0) == 0;
}

std::unique_ptr<rocksdb::Env> make_store_env(rocksdb::Env* base) {
  if (base == nullptr) base = rocksdb::Env::Default();
  // NewCompositeEnv takes threads and clock from the default Env and files from the given FileSystem, so
  // a custom `base` contributes its FileSystem (what tests replace), as it does when RocksDB uses it.
  return rocksdb::NewCompositeEnv(std::make_shared<StoreFileSystem>(base->GetFileSystem()));
}

rocksdb::Status park_store_lock(rocksdb::Env& store_env, const std::string& db_path) {
  // The name RocksDB's DB::Open locks: LockFileName(dbname) = dbname + "/LOCK".
  return store_file_system(store_env).park_lock(db_path + "/LOCK");
}

void release_parked_store_lock(rocksdb::Env& store_env) { store_file_system(store_env).release_parked_lock(); }

void confirm_store_lock_handover(rocksdb::Env& store_env) { store_file_system(store_env).confirm_handover(); }

}  // namespace ipaq::storage
