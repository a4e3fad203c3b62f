// The rocksdb::Env a durable index opens its database with: the caller's Env (or the default one) with a
// FileSystem wrapper that skips the two syncs RocksDB spends on its OPTIONS file at every DB::Open.
//
// Why that is safe: RocksDB writes OPTIONS-<n> (a text dump of the options in use) on every read-write
// open: it fsyncs the ".dbtmp" file, renames it and fsyncs the directory. Nothing in the open or recovery
// path reads that file back (DurableIndex passes every option explicitly, store_schema.h); it only
// serves tools such as `ldb`. A crash before the page cache reaches the disk can therefore leave, at
// worst, a stale, empty or missing OPTIONS file, never a lost or unreadable record. Every other sync is
// passed through unchanged: the WAL, SST files, the MANIFEST, CURRENT and the directory after creating or
// renaming any other file (those are what recovery depends on). On this machine's ext4 each such sync
// cost 0.2-4 ms of wall time (a journal commit), so the two skipped ones are 2 of the 5 an open used to
// wait for.
//
// The same wrapper lets a durable index hold the database's LOCK before (or without ever) opening it
// read-write: park_store_lock takes RocksDB's LOCK file now, and the read-write DB::Open made later with
// this Env receives that very lock instead of locking again (see park_store_lock).
//
// Ownership: make_store_env returns an Env built on `base`'s FileSystem (nullptr = the default Env's),
// with the default Env's threads and clock (rocksdb::NewCompositeEnv); the returned Env must outlive every
// database opened with it. Thread-safe like the wrapped FileSystem.
#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>
#include <string_view>

namespace ipaq::storage {

std::unique_ptr<rocksdb::Env> make_store_env(rocksdb::Env* base);

// True for the files whose syncs the store Env skips: RocksDB's OPTIONS-<n> and OPTIONS-<n>.dbtmp (given
// as a path or a file name).
bool is_options_file(std::string_view path);

// Takes the LOCK file of the database at `db_path` now, through `store_env`'s file system (RocksDB's own
// LockFile: an fcntl lock plus the check against other instances in this process), and parks it: the next
// LockFile of that file through this Env, the one a read-write DB::Open makes, receives the parked lock
// instead of locking again, so there is no moment in which another process could take it in between.
// Returns the lock attempt's status (an IOError naming the lock when the database is open elsewhere).
// `store_env` must come from make_store_env; at most one lock is parked per Env.
rocksdb::Status park_store_lock(rocksdb::Env& store_env, const std::string& db_path);
// Releases a parked lock that no DB::Open took over; does nothing otherwise.
void release_parked_store_lock(rocksdb::Env& store_env);
// Until this is called, the handed-over lock is not released by an UnlockFile (the one a failed DB::Open's
// instance makes): it goes back to being parked, so the file stays locked. Call it once the DB::Open that
// took the lock succeeded; afterwards closing that database releases the lock as usual.
void confirm_store_lock_handover(rocksdb::Env& store_env);

}  // namespace ipaq::storage
