// DurableIndex: an ipaq or FAISS index that lives in a RocksDB database and survives restarts and
// crashes, updated while it serves searches.
//
// Layout on disk: storage/store_schema.h (column families meta / codes / raw) and storage/store_meta.h.
// Searches run on in-memory code arrays (the faiss::Index built by ipaq::index_factory). Reopening reads
// `meta` (header, trained index without codes via ipaq::read_index), scans `codes` in id order and
// appends the stored bytes with ipaq::add_sa_codes: no re-training, no re-encoding. The stored vector
// count is checked against the number of codes found. open() takes the database's LOCK and reads through
// a read-only instance (no file written, no sync), from which it also serves searches and rerank reads;
// the first write opens the database read-write (RocksDB's open writes and syncs a new MANIFEST, CURRENT
// and an OPTIONS file, and starts a WAL), handing it the lock, so a store that is only searched is never
// written to. A call rejected by its argument checks, a write of 0 rows and a flush() before any write do
// not open it read-write (prepare_for_writes() does it on request); searches keep running while that
// read-write open is under way (only the switch of instances excludes them). Flat indexes append the codes
// chunk by chunk as they are read; IVF indexes append the whole store at once (each list sized once),
// from a transient copy of every stored row (code + 8-byte id), so an IVF open peaks at about the index
// plus its code bytes plus 8 bytes per vector.
//
// Writes: every add_with_ids / upsert / remove is validated first (ids >= 0 and unique in the call,
// vectors finite, ids new for add / present for remove), then encoded, then written as ONE
// rocksdb::WriteBatch touching codes, raw and the meta count; only after RocksDB accepted it does the
// in-memory index change. An invalid call writes nothing. If applying a committed write to memory fails
// (e.g. an index type without remove_ids), the in-memory index is rebuilt from the store. bulk_load()
// writes SST files (storage/sst_bulk_writer.h) and ingests them into all families atomically.
//
// Ids: 0 <= id <= INT64_MAX, arbitrary and sparse. Vectors: n * dim() float32, row-major.
//
// Errors: InvalidArgument (bad call: NaN/Inf, id out of range/duplicate/unknown/existing, search
// options the index does not support, open_or_create with a dimension/descriptor/metric other than the
// stored one), StateError (untrained, already trained, closed), StorageError (locked by another process,
// disk full, I/O), FormatError (corrupted or foreign database: checksum mismatch, torn WAL, missing
// column family, count mismatch). A failed write leaves both the store and the in-memory index unchanged
// (a write that failed inside RocksDB, e.g. disk full, can leave its own torn WAL record: see
// OpenOptions::accept_torn_wal_tail).
//
// What open() verifies: header, trained state, every `codes` block checksum and the count of codes
// against meta. `raw` is read only when reranking (checksums verified then); check_consistency() scans
// it too (a full scan of `raw` would make reopen cost grow with d * 4 bytes per vector).
//
// Thread-safety: search(), size() and the accessors may run concurrently from many threads; writes
// (train, add_with_ids, upsert, remove, bulk_load, flush, close) are serialized by a writer mutex and
// exclude searches through a writer-preferring shared mutex (writer_preferring_mutex.h) while they change
// the store and the in-memory index, so a search sees the state before or after a write, never part of
// it. Searches are not excluded while a write checks its rows, looks ids up, encodes its vectors
// (add_with_ids, upsert, remove, bulk_load), writes new rows to the store (add_with_ids; bulk_load's
// files and their ingestion) or opens the database read-write (the first write after a reopen).
// check_consistency() excludes writers.
// One process at a time: RocksDB's LOCK file, held from open() (or create()) to close(), makes a second
// open (same or other process) fail with StorageError while the first keeps working.
#pragma once

#include <faiss/Index.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/store_meta.h"
#include "storage/store_schema.h"
#include "storage/writer_preferring_mutex.h"

namespace rocksdb {
class DB;
class Status;
class ColumnFamilyHandle;
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace ipaq {
class IndexRerank;
}

namespace ipaq::storage {

class IdRangeMap;

// What index a new database holds.
struct IndexSpec {
  size_t dim = 0;
  std::string descriptor;  // ipaq::index_factory string (ipaq or FAISS), e.g. "RBQ1", "IVF64,TQ4", "PQ16x8"
  faiss::MetricType metric = faiss::METRIC_INNER_PRODUCT;
  uint64_t seed = 1234;
  bool keep_raw = true;  // store float32 vectors in `raw` (needed for rerank)
};

struct OpenOptions {
  // fsync the WAL on every write (survives power loss). false still survives a process crash (kill -9).
  bool sync_writes = true;
  // Recovery of a WAL whose last record is torn: false (default) = refuse to open (FormatError); true =
  // drop that unacknowledged record (RocksDB kTolerateCorruptedTailRecords). Damage elsewhere in the WAL
  // is always an error.
  bool accept_torn_wal_tail = false;
  // Memtable bytes per column family before RocksDB flushes them to a table file (write_buffer_size), in
  // [64 KiB, 256 MiB] (the WAL is capped at 256 MiB: beyond, flushes are forced anyway). Larger: fewer
  // and larger flushes, more memory, a longer WAL to replay at the first write after a reopen. A WAL
  // replay that fills a memtable flushes it (see ensure_writable).
  size_t write_buffer_bytes = kDefaultWriteBufferBytes;
  rocksdb::Env* env = nullptr;  // not owned; nullptr = the default Env (tests inject failing file systems)
};

struct SearchOptions {
  int nprobe = 0;               // IVF lists probed; 0 = the index's default
  float rerank_factor = 0.0f;   // 0 = no rerank; >= 1: rerank ceil(k * factor) candidates with `raw`
};

class DurableIndex {
 public:
  using idx_t = faiss::Index::idx_t;

  // Creates a new database at `path`, which must not exist or be an empty directory: an existing store
  // -> StorageError, store files without CURRENT -> FormatError (damaged), other files ->
  // InvalidArgument; nothing is written then. Indexes that need no training are ready for adds.
  static std::unique_ptr<DurableIndex> create(const std::string& path, const IndexSpec& spec,
                                              const OpenOptions& options = {});
  // Opens an existing database, rebuilding the in-memory index from stored codes. No database there ->
  // StorageError; store files (MANIFEST, tables, WAL, IDENTITY) without CURRENT -> FormatError, nothing touched.
  static std::unique_ptr<DurableIndex> open(const std::string& path, const OpenOptions& options = {});
  // Opens if it exists (the stored header must match `spec`, else InvalidArgument naming the field),
  // creates it if `path` is missing or an empty directory; anything else is refused as create() refuses it
  // (a CURRENT-less store is never taken for an absent one).
  static std::unique_ptr<DurableIndex> open_or_create(const std::string& path, const IndexSpec& spec,
                                                      const OpenOptions& options = {});
  ~DurableIndex();
  DurableIndex(const DurableIndex&) = delete;
  DurableIndex& operator=(const DurableIndex&) = delete;

  // Trains on x (n * dim()) and stores the trained state in `meta`. Only before the first vector.
  // queries (nq * dim() floats): sample queries for a workload-weighted codec (ASQ{b}w), which needs
  // them (InvalidArgument without); ignored by every other index. Only the trained state is stored.
  void train(idx_t n, const float* x, idx_t nq = 0, const float* queries = nullptr);
  bool is_trained() const;

  // x: n * dim(), ids: n new ids.
  void add_with_ids(idx_t n, const float* x, const idx_t* ids);
  // Inserts new ids and replaces existing ones, atomically per call.
  void upsert(idx_t n, const float* x, const idx_t* ids);
  // ids: n ids that must all be present.
  void remove(idx_t n, const idx_t* ids);
  // Large initial or incremental loads of new ids: encodes, writes sorted SST files in a scratch folder
  // beside the database directory (<path>.bulk, removed afterwards, also on failure), and ingests them into
  // codes/raw/meta in one atomic ingestion. The `raw` file is written on a second thread while the codes
  // are encoded (OpenMP); ids given in increasing order skip the argsort. Failures (e.g. disk full) leave
  // store and memory as before.
  // Searches run on until the rows are ingested; only appending them to the in-memory index excludes them.
  void bulk_load(idx_t n, const float* x, const idx_t* ids);

  // x: n * dim() queries; distances, labels: n * k (missing results: label -1).
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const SearchOptions& options = {}) const;

  size_t size() const;
  size_t dim() const { return header_.dim; }
  const StoreHeader& header() const { return header_; }
  const std::string& path() const { return path_; }
  // Bytes of codes held by the in-memory index (size() * code size).
  size_t code_bytes() const;
  // Bytes of ids held beside them by the id layer: 0 while the ids form one contiguous run (IdRangeMap)
  // and for IVF indexes (their lists hold the ids, counted by the index itself).
  size_t id_bytes() const;
  // Bytes the in-memory index's code arrays (IVF: its lists, their ids and L2 terms) hold allocated beyond
  // their sizes (ipaq::unused_capacity_bytes: packed ids, sub-codes, side bytes and L2 terms of IVF lists;
  // flat code arrays). An IVF open allocates each list once at its final size (a list keeps a minimum
  // reservation of 16 entries), so what this reports after an open is that minimum's remainder only.
  size_t unused_capacity_bytes() const;

  // A copy of the stored trained index holding no vectors (e.g. to build a reference index, or for
  // `ipaq info`); null before training.
  std::unique_ptr<faiss::Index> trained_index_copy() const;

  // Full check: verifies every SST checksum and that `codes`, `raw` (if kept) and the meta count hold
  // exactly the same ids. Throws FormatError describing the first disagreement.
  void check_consistency() const;

  // Persists memtables to SST files (all families atomically) and syncs the WAL. On an index not written
  // since open() (still served by the read-only instance) does nothing: it has nothing to persist.
  void flush();
  // Opens the database read-write now, which the first write after open() otherwise does (for callers
  // that want that cost, or its failure, up front; writes nothing else). No-op once it has happened.
  // Rejected calls and writes of 0 rows do not trigger it.
  void prepare_for_writes();
  // Releases the database and its LOCK; every later call throws StateError. Flushes nothing, except once
  // more than 8 WAL files have piled up over reopens (see drop_stale_wal_files in durable_index.cc).
  void close();

 private:
  DurableIndex(std::string path, const OpenOptions& options);
  // quiet_log: the instance writes no LOG file in the store (warnings to stderr), for opens that may fail.
  void open_db(bool create, bool quiet_log = false);
  // Opens the database read-write (or creates it) into `families` and returns the instance; throws on
  // failure (StorageError / FormatError), nothing opened then. Touches no member but the store Env's lock.
  std::unique_ptr<rocksdb::DB> open_db_instance(bool create, std::vector<rocksdb::ColumnFamilyHandle*>* families,
                                                bool quiet_log = false);
  // Takes the LOCK, opens a read-only instance and builds the in-memory index from it (see
  // durable_index.cc); false = the ordinary open is needed (nothing left open but the parked LOCK).
  bool open_read_only();
  // Before any write, called with writer_mutex_ and `lock` (mutex_, exclusive) held: replaces the read-only
  // instance by a read-write one (no-op when db_ is read-write). The read-write DB::Open runs with `lock`
  // released — searches keep running on the in-memory index and the read-only instance — and only the
  // switch of the instances takes it again; writer_mutex_ keeps every other writer out meanwhile, so what
  // the caller checked before still holds. `lock` is held again when this returns or throws.
  void ensure_writable(std::unique_lock<WriterPreferringMutex>& lock);
  rocksdb::Status close_db();
  // Reads header, trained state and count from `db` (this store's db_, or a read-only instance of it)
  // and rebuilds the in-memory index from its `codes`; the caller then calls attach_raw_source().
  void load_from_store(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families);
  // Drops the in-memory index and loads it again from the store; if that fails too, the index is left
  // unusable (check_usable() asks for a reopen).
  void rebuild_from_store();
  uint64_t max_codes_in_store(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families) const;
  void drop_stale_wal_files();
  // attach_raw = false: the rerank stage gets its `raw` source from attach_raw_source() later (once db_
  // is the database the index will serve from).
  void install_index(std::unique_ptr<faiss::Index> trained, bool attach_raw = true);
  void attach_raw_source();
  void drop_memory();  // the in-memory index and every pointer into it
  // Append already-encoded codes to the in-memory index (through id_map_ when there is one).
  void reserve_in_memory(idx_t n);
  void add_in_memory(idx_t n, const uint8_t* codes, const idx_t* ids, const idx_t* list_nos = nullptr);
  void write_batch(rocksdb::WriteBatch& batch, const char* what);
  void put_rows(rocksdb::WriteBatch& batch, idx_t n, const float* x, const idx_t* ids,
                const uint8_t* codes) const;
  void apply_in_memory(idx_t n_remove, const idx_t* remove_ids, idx_t n_add, const uint8_t* codes,
                       const idx_t* add_ids);
  std::vector<bool> stored(idx_t n, const idx_t* ids) const;
  void check_usable(const char* what) const;
  // Validates a write call (open, trained if x given, n >= 0, ids >= 0 and unique, x finite). Returns
  // whether the ids are strictly increasing (found in the same pass; bulk_load then skips its argsort).
  bool check_rows(const char* what, idx_t n, const float* x, const idx_t* ids) const;
  // check_rows + every id is new.
  bool check_new_rows(const char* what, idx_t n, const float* x, const idx_t* ids) const;
  std::vector<uint8_t> encode(idx_t n, const float* x) const;

  std::string path_;
  OpenOptions options_;
  std::unique_ptr<rocksdb::Env> env_;  // options_.env (or the default) + store_file_system.h; outlives db_
  StoreHeader header_;
  std::unique_ptr<rocksdb::DB> db_;
  bool read_only_ = false;  // db_ is a read-only instance (from open() until the first write)
  std::vector<rocksdb::ColumnFamilyHandle*> families_;  // owned by db_, destroyed in close()
  // The index built from the descriptor (holds the codec / coarse quantizer); owned by the id layer below.
  faiss::Index* codec_index_ = nullptr;
  // What search and add_sa_codes run on: codec_index_ itself when it handles ids natively (IVF), else an
  // IdRangeMap over it (id_range_map.h: no per-vector ids while they form one contiguous run); wrapped
  // in an IndexRerank over `raw` when raw vectors are kept.
  std::unique_ptr<faiss::Index> searchable_;
  faiss::Index* id_index_ = nullptr;       // the id-aware layer inside searchable_
  IdRangeMap* id_map_ = nullptr;           // = id_index_ when it is an IdRangeMap, else null
  IndexRerank* rerank_ = nullptr;          // inside searchable_, or null
  uint64_t count_ = 0;
  bool trained_ = false;
  mutable WriterPreferringMutex mutex_;
  // Taken by every call that writes or closes (before mutex_): writers run one at a time, also while a
  // first write's read-write open runs without mutex_ (ensure_writable). Searches never take it. Taken
  // through WriterLock, which records the holding thread so that ensure_writable can check its caller.
  // Only writers change the members above, always under both locks; so a writer holding writer_mutex_ may
  // read them, look rows up in db_ and encode through codec_index_ (const, thread-safe beside searches)
  // without mutex_: add_with_ids, upsert and remove take the exclusive lock only for the write itself
  // and the in-memory change (add_with_ids and bulk_load only for the latter: their rows are new, no
  // search reads them from the store), and searches are not held up by their checks, lookups and encoding.
  mutable std::mutex writer_mutex_;  // mutable: check_consistency() keeps writers out too
  std::atomic<std::thread::id> writer_thread_{};
  class WriterLock {
   public:
    explicit WriterLock(DurableIndex& self) : self_(self), guard_(self.writer_mutex_) {
      self_.writer_thread_ = std::this_thread::get_id();
    }
    ~WriterLock() { self_.writer_thread_ = std::thread::id(); }
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;

   private:
    DurableIndex& self_;
    std::lock_guard<std::mutex> guard_;
  };
};

}  // namespace ipaq::storage
