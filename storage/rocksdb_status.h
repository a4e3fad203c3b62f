// Translation of rocksdb::Status into ipaq exceptions, the only place storage/ looks at Status codes.
//
//   Corruption (checksum mismatch, torn/damaged WAL, bad SST)   -> ipaq::FormatError
//   IOError: lock held by another process                       -> ipaq::StorageError ("locked ...")
//   IOError: no space                                           -> ipaq::StorageError ("disk full ...")
//   anything else that is not ok()                              -> ipaq::StorageError
// The message starts with `what` (the operation and database path) and ends with RocksDB's text.
// Thread-safe.
#pragma once

#include <string_view>

#include <rocksdb/status.h>

namespace ipaq::storage {

void throw_if_error(const rocksdb::Status& status, std::string_view what);

}  // namespace ipaq::storage
