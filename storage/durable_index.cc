#include "storage/durable_index.h"

#include <faiss/IVFlib.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <future>
#include <system_error>

#include "index/index_checks.h"
#include "index/index_codes.h"
#include "index/index_factory.h"
#include "index/index_io.h"
#include "index/rerank.h"
#include "index/search_params.h"
#include "lib/core/checks.h"
#include "lib/core/memory_advice.h"
#include "lib/core/error.h"
#include "storage/id_range_map.h"
#include "storage/raw_vector_source.h"
#include "storage/rocksdb_status.h"
#include "storage/row_key.h"
#include "storage/sst_bulk_writer.h"
#include "storage/store_file_system.h"
#include "storage/store_schema.h"

namespace ipaq::storage {

namespace {

using idx_t = faiss::Index::idx_t;

// Rows appended to the in-memory index per add_sa_codes call while scanning `codes` on reopen: one chunk
// buffer, appended right after it is filled, while it is still in cache (4096 * 136 B = 544 KiB for
// RaBitQ1 at d = 784).
constexpr size_t kReloadChunkRows = 1 << 12;

std::unique_ptr<faiss::Index> make_empty_index(const StoreHeader& header) {
  CodecOptions codec_options;
  codec_options.seed = header.seed;
  return index_factory(static_cast<int>(header.dim), header.descriptor, static_cast<faiss::MetricType>(header.metric),
                       codec_options);
}

// Inverted-file indexes keep arbitrary ids in their lists and remove by scanning them; every other index
// type numbers its vectors by position and gets an id layer (IdRangeMap) on top.
bool handles_ids_natively(const faiss::Index* index) { return faiss::ivflib::try_extract_index_ivf(index) != nullptr; }

// The list number a stored IVF code starts with; out of range means a damaged store (FormatError).
faiss::Index::idx_t stored_list_number(const faiss::IndexIVF& ivf, const rocksdb::Slice& code, faiss::Index::idx_t id,
                                       const std::string& path) {
  try {
    return checked_list_number(ivf, reinterpret_cast<const uint8_t*>(code.data()), "IVF code");
  } catch (const InvalidArgument& e) {
    throw FormatError(format_message("durable index ", path, ": code of id ", id, ": ", e.what(), " (damaged database)"));
  }
}

bool family_exists(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string get_meta(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta, const char* key, bool required,
                     const std::string& path) {
  std::string value;
  const rocksdb::Status s = db->Get(make_read_options(false), meta, key, &value);
  if (s.IsNotFound()) {
    IPAQ_CHECK_FORMAT(!required, path, ": meta record '", key, "' is missing (not an ipaq durable index, or damaged)");
    return {};
  }
  throw_if_error(s, path + ": reading meta '" + key + "'");
  return value;
}

// The info log of a read-only instance, and of open()'s read-write fallback (an open that may well be
// rejected: damage): writes no file (RocksDB would otherwise rotate the store's LOG file on every open: a
// rename and a new file, never purged by a read-only instance, and a rejected open left a LOG.old.* each).
// Its WARN, ERROR and FATAL messages go to stderr, as the read-write instance keeps them (at WARN level)
// in its LOG; the rest (INFO, DEBUG, the options dump logged as headers) is dropped.
class StderrWarningLogger : public rocksdb::Logger {
 public:
  StderrWarningLogger() : Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  void LogHeader(const char*, va_list) override {}
  void Logv(const char*, va_list) override {}
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::WARN_LEVEL || level >= rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    static const char* const kNames[] = {"DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    std::fprintf(stderr, "rocksdb [%s] ", kNames[static_cast<int>(level)]);
    std::vfprintf(stderr, format, ap);
    std::fputc('\n', stderr);
  }
};

// What a directory holds, decided from every file a RocksDB store consists of, not from CURRENT alone:
// RocksDB treats a directory without CURRENT as "no database" and, with create_if_missing, writes a new
// empty one over the old files (deleting its MANIFEST and tables); so a CURRENT-less store is damaged.
enum class StorePresence { kAbsent, kStore, kDamaged, kOtherFiles };

bool is_store_file(const std::string& name) {
  const auto ends_with = [&](const char* tail) {
    const std::string t(tail);
    return name.size() > t.size() && name.compare(name.size() - t.size(), t.size(), t) == 0;
  };
  return name == "CURRENT" || name == "IDENTITY" || name.rfind("MANIFEST-", 0) == 0 ||
         name.rfind("OPTIONS-", 0) == 0 || ends_with(".sst") || ends_with(".log") || ends_with(".blob");
}

StorePresence store_presence(const std::string& path, std::string* example) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error == std::errc::no_such_file_or_directory || (!error && status.type() == std::filesystem::file_type::not_found)) {
    return StorePresence::kAbsent;
  }
  IPAQ_CHECK(!error, StorageError, "durable index ", path, ": cannot inspect it: ", error.message());
  IPAQ_CHECK(std::filesystem::is_directory(status), StorageError, "durable index ", path, " is not a directory");
  bool any = false, store_files = false, current = false;
  for (std::filesystem::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    any = true;
    current = current || name == "CURRENT";
    if (is_store_file(name) && !store_files) {
      store_files = true;
      *example = name;
    }
  }
  IPAQ_CHECK(!error, StorageError, "durable index ", path, ": cannot list it: ", error.message());
  if (current) return StorePresence::kStore;
  if (store_files) return StorePresence::kDamaged;
  return any ? StorePresence::kOtherFiles : StorePresence::kAbsent;
}

[[noreturn]] void throw_damaged(const std::string& path, const std::string& example) {
  throw FormatError(format_message("durable index ", path, ": CURRENT is missing but store files (e.g. ", example,
                                   ") are there: damaged database (nothing was changed; restore CURRENT or "
                                   "the whole directory from a backup)"));
}

}  // namespace

// ---- opening ------------------------------------------------------------------------------------

DurableIndex::DurableIndex(std::string path, const OpenOptions& options)
    : path_(std::move(path)), options_(options), env_(make_store_env(options.env)) {
  IPAQ_CHECK_ARG(options.write_buffer_bytes >= kMinWriteBufferBytes && options.write_buffer_bytes <= kMaxWriteBufferBytes,
                 "DurableIndex: write_buffer_bytes=", options.write_buffer_bytes, " for ", path_,
                 " is outside [64 KiB, 256 MiB]");
}

DurableIndex::~DurableIndex() {
  try {
    close();
  } catch (...) {  // a destructor must not throw; close() only fails if RocksDB cannot release files
  }
}

void DurableIndex::open_db(bool create, bool quiet_log) {
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  std::unique_ptr<rocksdb::DB> db = open_db_instance(create, &families, quiet_log);
  families_ = std::move(families);
  db_ = std::move(db);
}

std::unique_ptr<rocksdb::DB> DurableIndex::open_db_instance(bool create,
                                                            std::vector<rocksdb::ColumnFamilyHandle*>* families,
                                                            bool quiet_log) {
  SchemaOptions schema;
  schema.create = create;
  schema.accept_torn_wal_tail = options_.accept_torn_wal_tail;
  schema.env = env_.get();
  rocksdb::DBOptions db_options = make_db_options(schema);
  if (quiet_log) db_options.info_log = std::make_shared<StderrWarningLogger>();
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status =
      rocksdb::DB::Open(db_options, path_, make_family_descriptors(options_.write_buffer_bytes), families, &db);
  if (!create && status.IsInvalidArgument()) {
    // Name a missing family (or a missing database) precisely instead of RocksDB's generic
    // InvalidArgument. Only on failure: reading the MANIFEST once more costs every successful open.
    std::vector<std::string> names;
    throw_if_error(rocksdb::DB::ListColumnFamilies(db_options, path_, &names), "opening durable index " + path_);
    for (const char* name : kFamilyNames) {
      IPAQ_CHECK_FORMAT(family_exists(names, name), "durable index ", path_, ": column family '", name,
                        "' is missing (damaged or foreign database)");
    }
  }
  std::string what = (create ? "creating durable index " : "opening durable index ") + path_;
  if (status.IsCorruption() && !options_.accept_torn_wal_tail) {
    what += " (if a crash or a full disk interrupted the last write, its unacknowledged WAL record may be torn: "
            "OpenOptions::accept_torn_wal_tail drops just that record)";
  }
  throw_if_error(status, what);
  confirm_store_lock_handover(*env_);  // a parked LOCK this open took is now released only by its close
  return std::unique_ptr<rocksdb::DB>(db);
}

std::unique_ptr<DurableIndex> DurableIndex::create(const std::string& path, const IndexSpec& spec,
                                                   const OpenOptions& options) {
  IPAQ_CHECK_ARG(spec.dim > 0 && spec.dim <= (1u << 20), "DurableIndex::create: dimension ", spec.dim, " out of range");
  IPAQ_CHECK_ARG(spec.descriptor.find("Rerank") == std::string::npos,
                 "DurableIndex::create: descriptor '", spec.descriptor,
                 "' has a Rerank stage; durable indexes rerank from their `raw` column family: drop it and pass "
                 "SearchOptions::rerank_factor");
  std::unique_ptr<DurableIndex> self(new DurableIndex(path, options));
  self->header_.dim = spec.dim;
  self->header_.metric = static_cast<int32_t>(spec.metric);
  self->header_.descriptor = spec.descriptor;
  self->header_.seed = spec.seed;
  self->header_.keep_raw = spec.keep_raw;
  // Build the index before touching the disk so a bad descriptor creates nothing.
  std::unique_ptr<faiss::Index> index = make_empty_index(self->header_);
  IPAQ_CHECK_ARG(index->d == static_cast<idx_t>(spec.dim), "descriptor '", spec.descriptor, "' built an index of dimension ",
                 index->d, ", expected ", spec.dim);
  try {
    self->header_.code_size = index->sa_code_size();
  } catch (const faiss::FaissException& e) {
    throw InvalidArgument(format_message("DurableIndex::create: descriptor '", spec.descriptor,
                                         "' builds an index without standalone codes (sa_encode), which a "
                                         "durable index stores: ", e.what()));
  }

  std::string example;
  switch (store_presence(path, &example)) {
    case StorePresence::kStore:
      throw StorageError(format_message("DurableIndex::create: ", path, " already holds a database"));
    case StorePresence::kDamaged:
      throw_damaged(path, example);
    case StorePresence::kOtherFiles:
      throw InvalidArgument(format_message("DurableIndex::create: ", path,
                                           " is a non-empty directory; a new database needs a new or empty one"));
    case StorePresence::kAbsent:
      break;
  }
  std::error_code error;
  std::filesystem::create_directories(path, error);
  IPAQ_CHECK(!error, StorageError, "DurableIndex::create: cannot create directory ", path, ": ", error.message());
  self->open_db(/*create=*/true);
  rocksdb::WriteBatch batch;
  batch.Put(self->families_[kMetaSlot], kHeaderKey, encode_header(self->header_));
  batch.Put(self->families_[kMetaSlot], kCountKey, encode_count(0));
  if (index->is_trained) {
    std::string trained;
    write_index(index.get(), &trained);
    batch.Put(self->families_[kMetaSlot], kTrainedIndexKey, trained);
  }
  self->write_batch(batch, "creating durable index");
  self->trained_ = index->is_trained;
  self->install_index(std::move(index));
  return self;
}

namespace {

// Free bytes in the heap (glibc's mallinfo2 fordblks); 0 where that is not available.
size_t free_heap_bytes() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  return mallinfo2().fordblks;
#else
  return 0;
#endif
}

// After a reopen, hands the heap's free pages back to the system when the reopen itself left enough of
// them (free bytes now minus `free_before`, sampled before it loaded; what the rest of the process keeps
// free is not this index's business): an IVF index's lists grow in many steps while `codes` is read
// chunk by chunk, and the buffers they outgrow stay in the heap as free fragments (see bench/RESULTS.md
// for measured sizes). A flat index's arrays are reserved once, so its reopen leaves little free and
// skips the trim. glibc only; elsewhere nothing is done.
void return_free_heap_pages(size_t free_before, size_t loaded_bytes) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const size_t free_now = free_heap_bytes();
  const size_t left_by_load = free_now > free_before ? free_now - free_before : 0;
  if (left_by_load >= std::max<size_t>(size_t{1} << 20, loaded_bytes / 16)) malloc_trim(0);
#else
  (void)free_before;
  (void)loaded_bytes;
#endif
}

}  // namespace

std::unique_ptr<DurableIndex> DurableIndex::open(const std::string& path, const OpenOptions& options) {
  std::string example;
  const StorePresence presence = store_presence(path, &example);
  if (presence == StorePresence::kDamaged) throw_damaged(path, example);
  IPAQ_CHECK(presence == StorePresence::kStore, StorageError, "opening durable index ", path, ": no database there");
  std::unique_ptr<DurableIndex> self(new DurableIndex(path, options));
  const size_t free_before = free_heap_bytes();
  if (!self->open_read_only()) {
    // Damage or a torn WAL tail: this open may be rejected, and must then leave the store as it was (no
    // LOG rotated into LOG.old.*); this instance logs its warnings to stderr (as the read-only one does).
    self->open_db(/*create=*/false, /*quiet_log=*/true);
    self->load_from_store(self->db_.get(), self->families_);
    self->attach_raw_source();
  }
  return_free_heap_pages(free_before, self->count_ * self->header_.code_size);
  return self;
}

namespace {

// The state a store was read in: last sequence number and the live table files of every family. Any
// write, flush, ingestion or compaction changes it.
std::vector<std::string> store_state(rocksdb::DB& db) {
  std::vector<rocksdb::LiveFileMetaData> files;
  db.GetLiveFilesMetaData(&files);
  std::vector<std::string> state{std::to_string(db.GetLatestSequenceNumber())};
  for (const rocksdb::LiveFileMetaData& f : files) {
    state.push_back(f.column_family_name + "/" + f.name + "/" + std::to_string(f.size) + "/" +
                    std::to_string(f.largest_seqno));
  }
  std::sort(state.begin() + 1, state.end());
  return state;
}

}  // namespace

// RocksDB's read-write DB::Open writes and syncs a new MANIFEST and CURRENT, writes, re-reads and parses
// an OPTIONS file and starts a new WAL every time: ~2.6 ms of CPU and 3 syncs for Fashion-MNIST, more
// than a third of a codes scan, and nothing a search needs. So open() takes the database's LOCK (parked
// in the store Env, store_file_system.h: a second open, here or in another process, fails exactly as
// against an open read-write instance), opens a read-only instance (no file written, no sync), reads meta
// and `codes` through it and serves searches, rerank reads and checks from it. The first call that
// writes (ensure_writable) opens the read-write instance, which receives the parked lock, so the lock is
// held without a gap from open() to close(). Recovery is the same in both instances (WAL replayed with
// kAbsoluteConsistency, every block checksum verified on read); a store whose open needs the read-write
// instance (a torn WAL tail the caller accepts: that recovery is flushed) or that the read-only instance
// cannot open or read is opened the ordinary way, which reports any damage with the usual error.
// Returns false, having opened nothing (the lock parked, if taken), in that case; throws if the store is
// locked.
bool DurableIndex::open_read_only() {
  if (options_.accept_torn_wal_tail) return false;
  throw_if_error(park_store_lock(*env_, path_), "opening durable index " + path_);
  SchemaOptions schema;
  schema.env = env_.get();
  rocksdb::DBOptions db_options = make_db_options(schema);
  db_options.info_log = std::make_shared<StderrWarningLogger>();
  // A read-only instance deletes no file; with this option its iterators and reads would hand their
  // cleanup to a purge job, which this RocksDB asserts only an instance opened read-write schedules.
  db_options.avoid_unnecessary_blocking_io = false;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  if (!rocksdb::DB::OpenForReadOnly(db_options, path_, make_family_descriptors(options_.write_buffer_bytes), &families,
                                    &db)
           .ok()) {
    return false;
  }
  db_.reset(db);
  families_ = std::move(families);
  read_only_ = true;
  try {
    load_from_store(db_.get(), families_);
  } catch (...) {  // the ordinary open reports it (or finds the store readable after all)
    drop_memory();
    close_db().PermitUncheckedError();
    return false;
  }
  attach_raw_source();
  return true;
}

// Called with writer_mutex_ and the exclusive lock held, before a write touches db_. Opens the read-write
// instance (it takes over the parked LOCK) with the exclusive lock released, then, under it again, switches
// db_ to it (searches, rerank reads and checks hold the shared lock: none sees the switch) and, if the
// store's files are not in the state that was read, rebuilds memory from it; then the read-only instance
// is closed. No other process can write while the lock is held, but the read-write
// recovery itself can change the files: it flushes a memtable that fills while it replays the WAL (a WAL
// larger than write_buffer_size), where the read-only instance kept everything in memory. The rows are
// the same then; the reload is redundant but keeps memory provably equal to what db_ holds.
void DurableIndex::ensure_writable(std::unique_lock<WriterPreferringMutex>& lock) {
  // The read-write open below runs without `lock`: only writer_mutex_ keeps other writers out.
  IPAQ_CHECK(writer_thread_.load() == std::this_thread::get_id(), StateError,
             "DurableIndex: internal error: a write reached ensure_writable without holding the writer mutex");
  if (!read_only_) return;
  const std::vector<std::string> state = store_state(*db_);
  // The read-write open (~3 ms of CPU, MANIFEST and CURRENT synced) without mutex_: searches, rerank reads
  // and checks go on meanwhile through db_ (the read-only instance) and the in-memory index, which nothing
  // changes (the caller holds writer_mutex_).
  std::vector<rocksdb::ColumnFamilyHandle*> writer_families;
  std::unique_ptr<rocksdb::DB> writer;
  lock.unlock();
  try {
    writer = open_db_instance(/*create=*/false, &writer_families);
  } catch (...) {
    // Still serving from the read-only instance. If the failed DB::Open had taken the parked lock, its
    // instance's unlock parked it again (confirm_store_lock_handover not called): the LOCK stays held.
    lock.lock();
    throw;
  }
  lock.lock();
  std::unique_ptr<rocksdb::DB> reader = std::move(db_);
  std::vector<rocksdb::ColumnFamilyHandle*> reader_families = std::move(families_);
  db_ = std::move(writer);
  families_ = std::move(writer_families);
  auto close_reader = [&] {
    for (rocksdb::ColumnFamilyHandle* family : reader_families) reader->DestroyColumnFamilyHandle(family);
    reader.reset();
  };
  read_only_ = false;
  try {
    if (state != store_state(*db_)) {
      drop_memory();
      load_from_store(db_.get(), families_);
    }
    attach_raw_source();  // the rerank source now reads through the read-write instance
  } catch (...) {  // searchable_ null: check_usable() asks for a reopen
    drop_memory();
    close_reader();
    throw;
  }
  close_reader();
}

std::unique_ptr<DurableIndex> DurableIndex::open_or_create(const std::string& path, const IndexSpec& spec,
                                                           const OpenOptions& options) {
  // Only a missing or empty directory is created; damage (no CURRENT beside store files) is FormatError and
  // other files InvalidArgument, from create(), before anything is written.
  std::string example;
  if (store_presence(path, &example) != StorePresence::kStore) return create(path, spec, options);
  auto self = open(path, options);
  const StoreHeader& h = self->header();
  IPAQ_CHECK_ARG(h.dim == spec.dim, "durable index ", path, " has dimension ", h.dim, ", not ", spec.dim);
  IPAQ_CHECK_ARG(h.descriptor == spec.descriptor, "durable index ", path, " has descriptor '", h.descriptor,
                 "', not '", spec.descriptor, "'");
  IPAQ_CHECK_ARG(h.metric == static_cast<int32_t>(spec.metric), "durable index ", path, " has metric ", h.metric,
                 ", not ", static_cast<int>(spec.metric));
  IPAQ_CHECK_ARG(h.keep_raw == spec.keep_raw, "durable index ", path, (h.keep_raw ? " keeps" : " does not keep"),
                 " raw vectors, the request says otherwise");
  IPAQ_CHECK_ARG(h.seed == spec.seed, "durable index ", path, " has seed ", h.seed, ", not ", spec.seed);
  return self;
}

// Reopen: header → trained index (no codes) → scan `codes` in id order → add_sa_codes; no encoding.
void DurableIndex::load_from_store(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  rocksdb::ColumnFamilyHandle* meta = families[kMetaSlot];
  header_ = decode_header(get_meta(db, meta, kHeaderKey, true, path_));
  const std::string trained_bytes = get_meta(db, meta, kTrainedIndexKey, false, path_);
  count_ = decode_count(get_meta(db, meta, kCountKey, true, path_));
  std::unique_ptr<faiss::Index> index;
  if (trained_bytes.empty()) {
    index = make_empty_index(header_);
    IPAQ_CHECK_FORMAT(!index->is_trained, "durable index ", path_, ": trained state missing for descriptor '",
                      header_.descriptor, "'");
  } else {
    index = read_index_bytes(trained_bytes);
    IPAQ_CHECK_FORMAT(index->is_trained && index->ntotal == 0, "durable index ", path_,
                      ": stored trained index is untrained or holds vectors");
    IPAQ_CHECK_FORMAT(index->d == static_cast<idx_t>(header_.dim) && index->sa_code_size() == header_.code_size,
                      "durable index ", path_, ": stored index (d=", index->d, ", code size ", index->sa_code_size(),
                      ") disagrees with the header (d=", header_.dim, ", code size ", header_.code_size, ")");
  }
  trained_ = index->is_trained;
  install_index(std::move(index), /*attach_raw=*/false);  // db may be a read-only instance

  const size_t code_size = header_.code_size;
  const uint64_t expected = std::min<uint64_t>(count_, max_codes_in_store(*db, families));
  reserve_in_memory(static_cast<idx_t>(expected));
  uint64_t found = 0;
  // Appended on this thread as it is read: a second appending thread saves little wall time on a free
  // core, costs CPU, and makes the reopen wait for it when the cores are busy (figures in
  // bench/RESULTS.md). Flat indexes: chunk by chunk (their arrays are reserved above). IVF indexes: the
  // whole store in ONE append, from a transient buffer of every row (count x (8-byte id + code) bytes; the
  // IVF code starts with its list number), freed when the load returns, so the open's peak is the index
  // plus that buffer plus add_codes' per-row list numbers and order (Fashion-MNIST: +26 MiB peak for
  // 7.8 MiB of codes, +14 MiB after; bench/RESULTS.md; the buffer's size is bounded by the store's files
  // through max_codes_in_store): each list is then allocated once at its final size and
  // each list's centroid is prepared once for the L2 terms; appended in 4096-row chunks, every list grew
  // ~16 entries per chunk (reallocations, ~38 B/vector of slack and free fragments) and every centroid
  // was prepared once per chunk (the reopen cost 4.5x a codes scan in CPU; bench/RESULTS.md).
  // An IVF's list numbers are read here, from each code while it is in cache, not in a later pass over
  // the whole buffer (which, larger than the caches, would come from memory again).
  const faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(codec_index_);
  const size_t chunk_rows = ivf != nullptr ? static_cast<size_t>(expected)
                                           : static_cast<size_t>(std::min<uint64_t>(count_, kReloadChunkRows));
  std::vector<idx_t> chunk_ids, chunk_lists;
  std::vector<uint8_t> chunk_codes;
  chunk_ids.reserve(chunk_rows);
  chunk_codes.reserve(chunk_rows * code_size);
  if (ivf != nullptr) {
    chunk_lists.reserve(chunk_rows);
    populate_for_writing(chunk_codes.data(), chunk_codes.capacity());
  }
  auto append_chunk = [&] {
    add_in_memory(static_cast<idx_t>(chunk_ids.size()), chunk_codes.data(), chunk_ids.data(),
                  ivf != nullptr ? chunk_lists.data() : nullptr);
    found += chunk_ids.size();
    chunk_ids.clear();
    chunk_codes.clear();
    chunk_lists.clear();
  };
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(make_read_options(true), families[kCodesSlot]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    IPAQ_CHECK_FORMAT(trained_, "durable index ", path_, ": holds codes but no trained state");
    const rocksdb::Slice value = it->value();
    chunk_ids.push_back(decode_row_key(std::string_view(it->key().data(), it->key().size())));
    IPAQ_CHECK_FORMAT(value.size() == code_size, "durable index ", path_, ": code of id ", chunk_ids.back(), " has ",
                      value.size(), " bytes, expected ", code_size);
    chunk_codes.insert(chunk_codes.end(), value.data(), value.data() + value.size());
    if (ivf != nullptr) chunk_lists.push_back(stored_list_number(*ivf, value, chunk_ids.back(), path_));
    if (chunk_ids.size() == chunk_rows) append_chunk();
  }
  throw_if_error(it->status(), "reopening durable index " + path_ + ": scanning codes");
  if (!chunk_ids.empty()) append_chunk();
  IPAQ_CHECK_FORMAT(found == count_, "durable index ", path_, ": meta count says ", count_, " vectors but `codes` holds ",
                    found, " (damaged database)");
}

// An upper bound on the codes `codes` can hold (its files and memtables hold at least code_size bytes per
// code, uncompressed): caps the reservation made from the meta count, which a damaged store may inflate.
uint64_t DurableIndex::max_codes_in_store(rocksdb::DB& db,
                                          const std::vector<rocksdb::ColumnFamilyHandle*>& families) const {
  uint64_t sst = 0, mem = 0;
  if (header_.code_size == 0 ||
      !db.GetIntProperty(families[kCodesSlot], rocksdb::DB::Properties::kTotalSstFilesSize, &sst) ||
      !db.GetIntProperty(families[kCodesSlot], rocksdb::DB::Properties::kCurSizeAllMemTables, &mem)) {
    return 0;
  }
  return (sst + mem) / header_.code_size + 1;
}

void DurableIndex::install_index(std::unique_ptr<faiss::Index> index, bool attach_raw) {
  codec_index_ = index.get();
  id_map_ = nullptr;
  std::unique_ptr<faiss::Index> id_layer;
  if (handles_ids_natively(index.get())) {
    id_layer = std::move(index);
  } else {
    auto map = std::make_unique<IdRangeMap>(std::move(index));
    id_map_ = map.get();
    id_layer = std::move(map);
  }
  id_index_ = id_layer.get();
  rerank_ = nullptr;
  if (header_.keep_raw) {
    // Without attach_raw, an empty in-memory source stands in until attach_raw_source().
    auto rerank = std::make_unique<IndexRerank>(std::move(id_layer), nullptr, 1.0f);
    rerank_ = rerank.get();
    searchable_ = std::move(rerank);
    if (attach_raw) attach_raw_source();
  } else {
    searchable_ = std::move(id_layer);
  }
}

void DurableIndex::drop_memory() {
  searchable_.reset();
  codec_index_ = id_index_ = nullptr;
  id_map_ = nullptr;
  rerank_ = nullptr;
}

void DurableIndex::attach_raw_source() {
  if (rerank_ != nullptr) {
    rerank_->set_source(std::make_unique<RawVectorSource>(db_.get(), families_[kRawSlot], header_.dim));
  }
}

void DurableIndex::reserve_in_memory(idx_t n) {
  if (id_map_ != nullptr) {
    id_map_->reserve(n);
  } else {
    reserve_sa_codes(*id_index_, n);
  }
}

void DurableIndex::add_in_memory(idx_t n, const uint8_t* codes, const idx_t* ids, const idx_t* list_nos) {
  if (id_map_ != nullptr) {
    id_map_->add_codes(n, codes, ids);
  } else {
    add_sa_codes(*id_index_, n, codes, ids, list_nos);
  }
}

// ---- writing ------------------------------------------------------------------------------------

void DurableIndex::check_usable(const char* what) const {
  IPAQ_CHECK(db_ != nullptr, StateError, "DurableIndex::", what, ": index ", path_, " is closed");
  IPAQ_CHECK(searchable_ != nullptr, StateError, "DurableIndex::", what, ": in-memory index of ", path_,
             " could not be rebuilt after a failure; reopen it");
}

bool DurableIndex::check_rows(const char* what, idx_t n, const float* x, const idx_t* ids) const {
  check_usable(what);
  IPAQ_CHECK(x == nullptr || trained_, StateError, "DurableIndex::", what, ": ", path_, " is not trained");
  IPAQ_CHECK_ARG(n >= 0, "DurableIndex::", what, ": n = ", n, " is negative");
  if (n == 0) return true;
  IPAQ_CHECK_ARG(ids != nullptr, "DurableIndex::", what, ": ids is null");
  if (x != nullptr) check_vectors(x, static_cast<size_t>(n), header_.dim, "DurableIndex: vectors");
  // Unique ids: one pass when they are increasing (the common case of a load), else a sorted copy.
  bool increasing = true;
  for (idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(ids[i] >= 0, "DurableIndex::", what, ": id ", ids[i], " is out of range (ids must be >= 0)");
    increasing = increasing && (i == 0 || ids[i] > ids[i - 1]);
  }
  if (increasing) return true;
  std::vector<idx_t> sorted(ids, ids + n);
  std::sort(sorted.begin(), sorted.end());
  const auto twice = std::adjacent_find(sorted.begin(), sorted.end());
  IPAQ_CHECK_ARG(twice == sorted.end(), "DurableIndex::", what, ": id ", *twice, " appears twice in one call");
  return false;
}

bool DurableIndex::check_new_rows(const char* what, idx_t n, const float* x, const idx_t* ids) const {
  const bool increasing = check_rows(what, n, x, ids);
  if (n == 0 || count_ == 0) return increasing;  // an empty store holds no id
  const std::vector<bool> present = stored(n, ids);
  for (idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(!present[i], "DurableIndex::", what, ": id ", ids[i], " is already stored (use upsert)");
  }
  return increasing;
}

std::vector<bool> DurableIndex::stored(idx_t n, const idx_t* ids) const {
  std::vector<RowKey> keys(n);
  std::vector<rocksdb::Slice> slices(n);
  for (idx_t i = 0; i < n; ++i) {
    keys[i] = encode_row_key(ids[i]);
    slices[i] = rocksdb::Slice(keys[i].data(), keys[i].size());
  }
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->MultiGet(make_read_options(false), families_[kCodesSlot], n, slices.data(), values.data(), statuses.data());
  std::vector<bool> out(n);
  for (idx_t i = 0; i < n; ++i) {
    if (statuses[i].IsNotFound()) continue;
    throw_if_error(statuses[i], "DurableIndex: looking up id " + std::to_string(ids[i]));
    out[i] = true;
  }
  return out;
}

std::vector<uint8_t> DurableIndex::encode(idx_t n, const float* x) const {
  std::vector<uint8_t> codes(checked_mul(n, header_.code_size, "DurableIndex: n * code size"));
  if (n > 0) codec_index_->sa_encode(n, x, codes.data());
  return codes;
}

void DurableIndex::put_rows(rocksdb::WriteBatch& batch, idx_t n, const float* x, const idx_t* ids,
                            const uint8_t* codes) const {
  const size_t code_size = header_.code_size;
  for (idx_t i = 0; i < n; ++i) {
    const RowKey key = encode_row_key(ids[i]);
    const rocksdb::Slice key_slice(key.data(), key.size());
    batch.Put(families_[kCodesSlot], key_slice,
              rocksdb::Slice(reinterpret_cast<const char*>(codes + i * code_size), code_size));
    if (header_.keep_raw) {
      batch.Put(families_[kRawSlot], key_slice,
                rocksdb::Slice(reinterpret_cast<const char*>(x + i * header_.dim), header_.dim * sizeof(float)));
    }
  }
}

void DurableIndex::write_batch(rocksdb::WriteBatch& batch, const char* what) {
  rocksdb::WriteOptions write;
  write.sync = options_.sync_writes;
  throw_if_error(db_->Write(write, &batch), std::string(what) + " " + path_);
}

// The store already holds the change; bring the in-memory index to the same state. An index type that
// cannot apply it (e.g. no remove_ids) is rebuilt from the store instead, so memory never diverges.
void DurableIndex::apply_in_memory(idx_t n_remove, const idx_t* remove_ids, idx_t n_add, const uint8_t* codes,
                                   const idx_t* add_ids) {
  try {
    if (n_remove > 0) {
      faiss::IDSelectorBatch selector(n_remove, remove_ids);
      const size_t removed = id_index_->remove_ids(selector);
      IPAQ_CHECK(removed == static_cast<size_t>(n_remove), StateError, "removed ", removed, " of ", n_remove, " ids");
    }
    if (n_add > 0) add_in_memory(n_add, codes, add_ids);
  } catch (const std::exception&) {
    rebuild_from_store();
  }
}

void DurableIndex::rebuild_from_store() {
  drop_memory();
  try {
    load_from_store(db_.get(), families_);
    attach_raw_source();
  } catch (...) {  // searchable_ null: check_usable() tells every later call to reopen
    drop_memory();
  }
}

void DurableIndex::train(idx_t n, const float* x, idx_t nq, const float* queries) {
  const WriterLock writer(*this);
  std::unique_lock lock(mutex_);
  check_usable("train");
  IPAQ_CHECK(!trained_, StateError, "DurableIndex::train: ", path_, " is already trained");
  IPAQ_CHECK_ARG(n > 0 && x != nullptr, "DurableIndex::train: needs n > 0 training vectors, got ", n);
  check_vectors(x, static_cast<size_t>(n), header_.dim, "DurableIndex::train: vectors");
  // Train a fresh copy: the live index changes only after the trained state is stored.
  std::unique_ptr<faiss::Index> index = make_empty_index(header_);
  if (needs_query_workload(*index)) {
    IPAQ_CHECK_ARG(nq > 0 && queries != nullptr, "DurableIndex::train: ", header_.descriptor,
                   " has a workload-weighted codec and needs sample queries");
    give_query_workload(*index, nq, queries);
  }
  index->train(n, x);
  std::string trained;
  write_index(index.get(), &trained);
  StoreHeader header = header_;
  header.code_size = index->sa_code_size();
  ensure_writable(lock);
  rocksdb::WriteBatch batch;
  batch.Put(families_[kMetaSlot], kTrainedIndexKey, trained);
  batch.Put(families_[kMetaSlot], kHeaderKey, encode_header(header));
  write_batch(batch, "storing the trained index of");
  header_ = header;
  trained_ = true;
  install_index(std::move(index));
}

bool DurableIndex::is_trained() const {
  std::shared_lock lock(mutex_);
  return trained_;
}

void DurableIndex::add_with_ids(idx_t n, const float* x, const idx_t* ids) {
  const WriterLock writer(*this);
  // Checks, lookups and encoding under writer_mutex_ alone (see the header): searches go on meanwhile.
  check_usable("add_with_ids");
  IPAQ_CHECK_ARG(n <= 0 || x != nullptr, "DurableIndex::add_with_ids: vectors are null");
  check_new_rows("add_with_ids", n, x, ids);
  if (n == 0) return;
  const std::vector<uint8_t> codes = encode(n, x);
  {
    std::unique_lock lock(mutex_);
    ensure_writable(lock);
  }
  // The rows are new: no search reads them from the store (rerank fetches the raw rows of ids that are in
  // memory), so the write itself runs beside searches too; memory changes under the exclusive lock.
  // (upsert and remove change rows a search may fetch: they write under it.)
  rocksdb::WriteBatch batch;
  put_rows(batch, n, x, ids, codes.data());
  batch.Put(families_[kMetaSlot], kCountKey, encode_count(count_ + n));
  write_batch(batch, "adding vectors to");
  std::unique_lock lock(mutex_);
  count_ += n;
  apply_in_memory(0, nullptr, n, codes.data(), ids);
}

void DurableIndex::upsert(idx_t n, const float* x, const idx_t* ids) {
  const WriterLock writer(*this);
  check_usable("upsert");  // as add_with_ids: mutex_ only from the write on
  IPAQ_CHECK_ARG(n <= 0 || x != nullptr, "DurableIndex::upsert: vectors are null");
  check_rows("upsert", n, x, ids);
  if (n == 0) return;
  const std::vector<bool> present = stored(n, ids);
  std::vector<idx_t> replaced;
  for (idx_t i = 0; i < n; ++i) {
    if (present[i]) replaced.push_back(ids[i]);
  }
  const std::vector<uint8_t> codes = encode(n, x);
  std::unique_lock lock(mutex_);
  ensure_writable(lock);
  rocksdb::WriteBatch batch;
  put_rows(batch, n, x, ids, codes.data());  // Put overwrites the replaced rows in the same batch
  const uint64_t new_count = count_ + (n - replaced.size());
  batch.Put(families_[kMetaSlot], kCountKey, encode_count(new_count));
  write_batch(batch, "upserting vectors into");
  count_ = new_count;
  apply_in_memory(static_cast<idx_t>(replaced.size()), replaced.data(), n, codes.data(), ids);
}

void DurableIndex::remove(idx_t n, const idx_t* ids) {
  const WriterLock writer(*this);
  check_usable("remove");  // as add_with_ids: mutex_ only from the write on
  check_rows("remove", n, nullptr, ids);
  if (n == 0) return;
  const std::vector<bool> present = stored(n, ids);
  for (idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(present[i], "DurableIndex::remove: id ", ids[i], " is not stored; nothing was removed");
  }
  std::unique_lock lock(mutex_);
  ensure_writable(lock);
  rocksdb::WriteBatch batch;
  for (idx_t i = 0; i < n; ++i) {
    const RowKey key = encode_row_key(ids[i]);
    const rocksdb::Slice key_slice(key.data(), key.size());
    batch.Delete(families_[kCodesSlot], key_slice);
    if (header_.keep_raw) batch.Delete(families_[kRawSlot], key_slice);
  }
  batch.Put(families_[kMetaSlot], kCountKey, encode_count(count_ - n));
  write_batch(batch, "removing vectors from");
  count_ -= n;
  apply_in_memory(n, ids, 0, nullptr, nullptr);
}

void DurableIndex::bulk_load(idx_t n, const float* x, const idx_t* ids) {
  const WriterLock writer(*this);
  // As add_with_ids: checks, encoding, the files and their ingestion under writer_mutex_ alone (the rows
  // are new, so no search reads them from the store), the exclusive lock for the in-memory add only.
  check_usable("bulk_load");
  IPAQ_CHECK_ARG(n <= 0 || x != nullptr, "DurableIndex::bulk_load: vectors are null");
  const bool ids_increasing = check_new_rows("bulk_load", n, nullptr, ids);
  if (n == 0) return;
  IPAQ_CHECK(trained_, StateError, "DurableIndex::bulk_load: ", path_, " is not trained");
  // Every check before anything is opened or written (a reopened store's first write opens it read-write).
  check_vectors(x, static_cast<size_t>(n), header_.dim, "DurableIndex: vectors");
  {
    std::unique_lock lock(mutex_);
    ensure_writable(lock);
  }
  BulkRows rows;
  rows.n = static_cast<size_t>(n);
  rows.ids = ids;
  rows.code_size = header_.code_size;
  rows.raw = header_.keep_raw ? x : nullptr;
  rows.dim = header_.dim;
  rows.new_count = count_ + n;
  const BulkOrder order = bulk_order(rows, ids_increasing);
  // Scratch files live beside the database (same file system, so ingestion hard-links them).
  const std::filesystem::path scratch = path_ + ".bulk";
  const std::string dir = scratch.string();
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(scratch);
  std::vector<uint8_t> codes;
  try {
    const rocksdb::Options sst_options(db_->GetDBOptions(), db_->GetOptions(families_[kCodesSlot]));
    const rocksdb::Options raw_sst_options(db_->GetDBOptions(), db_->GetOptions(families_[kRawSlot]));
    // `raw` needs no encoding: it is written on its own thread while this one encodes (OpenMP). The
    // future is waited for on every path (its destructor joins), so no file is still open below.
    std::future<rocksdb::IngestExternalFileArg> raw_file;
    if (rows.raw != nullptr) {
      raw_file = std::async(std::launch::async, [&] {
        return write_bulk_raw_sst(dir, rows, order, families_[kRawSlot], raw_sst_options);
      });
    }
    codes = encode(n, x);
    rows.codes = codes.data();
    std::vector<rocksdb::IngestExternalFileArg> args;
    args.push_back(write_bulk_codes_sst(dir, rows, order, families_[kCodesSlot], sst_options));
    args.push_back(write_bulk_meta_sst(dir, rows, families_[kMetaSlot], sst_options));
    if (raw_file.valid()) args.push_back(raw_file.get());
    throw_if_error(db_->IngestExternalFiles(args), "bulk load into " + path_);
  } catch (...) {  // nothing ingested (the ingestion is atomic), memory untouched
    std::error_code ignored;  // a scratch folder left behind is removed by the next bulk load
    std::filesystem::remove_all(scratch, ignored);
    throw;
  }
  std::error_code ignored;  // not an error of the load, which has happened: memory must follow it
  std::filesystem::remove_all(scratch, ignored);
  // The store has the rows, so the load has happened: memory follows, or if appending fails part-way (e.g.
  // out of memory) it is rebuilt from the store, which then holds the loaded rows.
  std::unique_lock lock(mutex_);
  count_ += n;
  try {
    reserve_in_memory(n);
    add_in_memory(n, codes.data(), ids);
  } catch (...) {
    rebuild_from_store();
  }
}

// ---- reading ------------------------------------------------------------------------------------

void DurableIndex::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                          const SearchOptions& options) const {
  std::shared_lock lock(mutex_);
  check_usable("search");
  IPAQ_CHECK(trained_, StateError, "DurableIndex::search: ", path_, " is not trained");
  IPAQ_CHECK_ARG(n >= 0 && k > 0, "DurableIndex::search: needs n >= 0 and k > 0, got n=", n, " k=", k);
  if (n == 0) return;
  IPAQ_CHECK_ARG(x != nullptr && distances != nullptr && labels != nullptr, "DurableIndex::search: null array");
  check_vectors(x, static_cast<size_t>(n), header_.dim, "DurableIndex::search: queries");
  IPAQ_CHECK_ARG(options.nprobe >= 0, "DurableIndex::search: nprobe ", options.nprobe, " is negative");
  IPAQ_CHECK_ARG(options.nprobe == 0 || handles_ids_natively(codec_index_), "DurableIndex::search: nprobe given but '",
                 header_.descriptor, "' is not an IVF index");
  IPAQ_CHECK_ARG(options.rerank_factor == 0.0f || options.rerank_factor >= 1.0f,
                 "DurableIndex::search: rerank factor ", options.rerank_factor, " must be 0 (off) or >= 1");
  IPAQ_CHECK_ARG(options.rerank_factor == 0.0f || rerank_ != nullptr, "DurableIndex::search: ", path_,
                 " keeps no raw vectors, so it cannot rerank");
  faiss::SearchParametersIVF ivf_params;
  ivf_params.nprobe = static_cast<size_t>(options.nprobe);
  const faiss::SearchParameters* base_params = options.nprobe > 0 ? &ivf_params : nullptr;
  if (options.rerank_factor > 0.0f) {
    SearchParametersRerank rerank_params;
    rerank_params.rerank_factor = options.rerank_factor;
    rerank_params.base_params = base_params;
    rerank_->search(n, x, k, distances, labels, &rerank_params);
  } else {
    id_index_->search(n, x, k, distances, labels, base_params);
  }
}

size_t DurableIndex::size() const {
  std::shared_lock lock(mutex_);
  return count_;
}

size_t DurableIndex::code_bytes() const {
  std::shared_lock lock(mutex_);
  return count_ * header_.code_size;
}

size_t DurableIndex::id_bytes() const {
  std::shared_lock lock(mutex_);
  return id_map_ != nullptr ? id_map_->id_bytes() : 0;
}

size_t DurableIndex::unused_capacity_bytes() const {
  std::shared_lock lock(mutex_);
  check_usable("unused_capacity_bytes");
  return ipaq::unused_capacity_bytes(*codec_index_);
}

std::unique_ptr<faiss::Index> DurableIndex::trained_index_copy() const {
  std::shared_lock lock(mutex_);
  check_usable("trained_index_copy");
  const std::string bytes = get_meta(db_.get(), families_[kMetaSlot], kTrainedIndexKey, false, path_);
  if (bytes.empty()) return nullptr;
  return read_index_bytes(bytes);
}

void DurableIndex::check_consistency() const {
  // No writer between its store write and its in-memory change (add_with_ids and bulk_load write without
  // mutex_).
  const std::lock_guard writers(writer_mutex_);
  std::shared_lock lock(mutex_);
  check_usable("check_consistency");
  throw_if_error(db_->VerifyChecksum(), "verifying checksums of " + path_);
  const uint64_t stored_count = decode_count(get_meta(db_.get(), families_[kMetaSlot], kCountKey, true, path_));
  IPAQ_CHECK_FORMAT(stored_count == count_, path_, ": meta count ", stored_count, " but ", count_, " in memory");
  std::unique_ptr<rocksdb::Iterator> codes(db_->NewIterator(make_read_options(true), families_[kCodesSlot]));
  std::unique_ptr<rocksdb::Iterator> raw;
  if (header_.keep_raw) {
    raw.reset(db_->NewIterator(make_read_options(true), families_[kRawSlot]));
    raw->SeekToFirst();
  }
  uint64_t n = 0;
  for (codes->SeekToFirst(); codes->Valid(); codes->Next(), ++n) {
    IPAQ_CHECK_FORMAT(codes->value().size() == header_.code_size, path_, ": a code has ", codes->value().size(),
                      " bytes, expected ", header_.code_size);
    if (!raw) continue;
    IPAQ_CHECK_FORMAT(raw->Valid() && raw->key() == codes->key(), path_, ": `raw` lacks the vector of id ",
                      decode_row_key(std::string_view(codes->key().data(), codes->key().size())));
    IPAQ_CHECK_FORMAT(raw->value().size() == header_.dim * sizeof(float), path_, ": a raw vector has ",
                      raw->value().size(), " bytes");
    raw->Next();
  }
  throw_if_error(codes->status(), "scanning codes of " + path_);
  if (raw) {
    throw_if_error(raw->status(), "scanning raw of " + path_);
    IPAQ_CHECK_FORMAT(!raw->Valid(), path_, ": `raw` holds id ",
                      decode_row_key(std::string_view(raw->key().data(), raw->key().size())), " that `codes` lacks");
  }
  IPAQ_CHECK_FORMAT(n == count_, path_, ": `codes` holds ", n, " vectors, meta count says ", count_);
}

// ---- lifetime -----------------------------------------------------------------------------------

void DurableIndex::prepare_for_writes() {
  const WriterLock writer(*this);
  std::unique_lock lock(mutex_);
  check_usable("prepare_for_writes");
  ensure_writable(lock);
}

void DurableIndex::flush() {
  const WriterLock writer(*this);
  std::unique_lock lock(mutex_);
  check_usable("flush");
  if (read_only_) return;  // never written since open(): nothing in memtables or the WAL to persist
  rocksdb::FlushOptions flush_options;
  flush_options.wait = true;
  throw_if_error(db_->Flush(flush_options, families_), "flushing " + path_);
  throw_if_error(db_->FlushWAL(true), "syncing the WAL of " + path_);
}

// RocksDB 7.8 with atomic_flush keeps every WAL file until a flush advances the MANIFEST's minimum log
// to keep; every open starts a new WAL, and a store that is only bulk-loaded (ingestion, no memtable) and
// reopened never flushes, so each open left one more (empty) WAL file behind. Past kMaxWalFiles, close
// flushes once: the meta count is rewritten with its stored value into the memtable only (no WAL record,
// so a failure cannot leave a torn one) and flushed with whatever else the memtables hold, after which
// RocksDB deletes the obsolete WAL files. Best effort: on failure the store is exactly as before.
void DurableIndex::drop_stale_wal_files() {
  constexpr size_t kMaxWalFiles = 8;
  // Counted in the directory: RocksDB's GetSortedWalFiles lists only the WAL files it still needs.
  size_t wal_files = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(path_, error), end; !error && it != end; it.increment(error)) {
    wal_files += it->path().extension() == ".log";
  }
  if (error || wal_files <= kMaxWalFiles) return;
  std::string count;
  if (!db_->Get(make_read_options(false), families_[kMetaSlot], kCountKey, &count).ok()) return;
  rocksdb::WriteOptions memtable_only;
  memtable_only.disableWAL = true;
  if (!db_->Put(memtable_only, families_[kMetaSlot], kCountKey, count).ok()) return;
  rocksdb::FlushOptions flush_options;
  flush_options.wait = true;
  db_->Flush(flush_options, families_).PermitUncheckedError();
}

// Destroys the family handles and the database instance (read-only or read-write); the parked LOCK, if
// any, stays parked.
rocksdb::Status DurableIndex::close_db() {
  if (!db_) return rocksdb::Status::OK();
  for (rocksdb::ColumnFamilyHandle* family : families_) db_->DestroyColumnFamilyHandle(family);
  families_.clear();
  const rocksdb::Status status = db_->Close();
  db_.reset();
  read_only_ = false;
  return status;
}

void DurableIndex::close() {
  const WriterLock writer(*this);
  std::unique_lock lock(mutex_);
  if (!db_) {
    release_parked_store_lock(*env_);  // an open() that failed after taking the lock
    return;
  }
  drop_memory();  // the rerank source borrows the DB: drop it first
  if (!read_only_) drop_stale_wal_files();  // a read-only instance creates no WAL file
  const rocksdb::Status status = close_db();
  release_parked_store_lock(*env_);  // never opened read-write: the lock is still parked
  throw_if_error(status, "closing " + path_);
}

}  // namespace ipaq::storage
