#include "storage/rocksdb_status.h"

#include "lib/core/error.h"

namespace ipaq::storage {

void throw_if_error(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return;
  const std::string detail = status.ToString();
  if (status.IsCorruption()) {
    throw FormatError(format_message(what, ": database is corrupted (checksum or log mismatch; nothing was "
                                           "truncated or repaired): ", detail));
  }
  if (status.IsNoSpace()) {
    throw StorageError(format_message(what, ": disk full, the write was rejected: ", detail));
  }
  // RocksDB reports a held LOCK file as IOError "lock hold by current process" (same process) or
  // "While lock file: ... Resource temporarily unavailable" (another process).
  if (status.IsIOError() && (detail.find("lock") != std::string::npos || detail.find("LOCK") != std::string::npos)) {
    throw StorageError(format_message(what, ": database is locked (already open in this or another "
                                            "process): ", detail));
  }
  throw StorageError(format_message(what, ": ", detail));
}

}  // namespace ipaq::storage
