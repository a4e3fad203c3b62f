// Durable storage benchmark driver (issue 5). Prints one table per dataset:
//   bulk ingest    DurableIndex::bulk_load (encode + sorted SST files + atomic ingestion + in-memory add)
//                  vs rocksdb::SstFileWriter alone writing the same keys and values (codes + raw)
//   incremental    add_with_ids in batches of 1,000 vectors, sync_writes = true (fsync per batch)
//   serve          single-query search latency while a writer adds batches of 1,000, vs no writer, and
//                  beside one bulk_load of the remaining rows (up to 20,000)
//   reopen         DurableIndex::open (until it returns; close not timed) vs a plain sequential scan of the
//                  `codes` family copying the values into a reserved array, with the ReadOptions the reopen
//                  uses (make_read_options(true): fill_cache off, 2 MiB readahead, checksums verified) and
//                  with default ReadOptions; also a reopen followed by the read-write open a first write
//                  makes (add_with_ids of 0 rows: open() serves from a read-only instance until then)
//   RSS            resident memory added by DurableIndex::open in a fresh process vs the code bytes, split
//                  into the index's code arrays, the id layer's ids and the rest
// Timings are medians of `reps` runs. Usage:
//   storage_bench synthetic <n> [reps [parts [descriptor]]]   n Gaussian 128-d vectors, default TQ4, L2
//   storage_bench fmnist [reps [parts [descriptor]]]          Fashion-MNIST train (60,000 x 784), default
//                                                             RaBitQ1, L2
// parts: comma-separated subset of bulk,inc,serve,reopen,rss, or all (default; reopen and rss need a bulk-loaded
// database, so they always run one bulk_load). descriptor: any ipaq::index_factory string a durable index
// accepts, e.g. "IVF256,RaBitQ1" (IVF indexes train on the first 20,000 vectors).
//   storage_bench --rss <db path>          (internal) prints "rss_before rss_after code_bytes held ids"
//   storage_bench --reopen-loop <db path> <reps>   opens and closes the store reps times (a loop to profile
//                                                  with perf); prints the median open wall and CPU time
// STORAGE_BENCH_KEEP=<dir> in the environment: the bulk-loaded store is copied to <dir> before the work
// directory is removed (a store for --reopen-loop).
#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <exception>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>

#include "index/index_codec_flat.h"
#include "index/index_codes.h"
#include "index/index_io.h"
#include "lib/io/vector_file.h"
#include "storage/durable_index.h"
#include "storage/row_key.h"
#include "storage/store_file_system.h"
#include "storage/store_schema.h"
#include "tests/storage/storage_test_util.h"

namespace {

using namespace ipaq::storage;
using idx_t = faiss::Index::idx_t;
namespace fs = std::filesystem;

double seconds_of(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Process CPU seconds spent in f (all threads): robust to the machine being shared, unlike wall time.
double cpu_seconds_of(const std::function<void()>& f) {
  auto now = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
  };
  const double t0 = now();
  f();
  return now() - t0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// VmRSS (or another /proc/self/status field given with its colon, e.g. "VmHWM:") in KiB.
long rss_kib(const std::string& field = "VmRSS:") {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  }
  return -1;
}

// Prints "rss_before rss_after code_bytes held_code_bytes id_bytes hwm_before hwm_after unused" (KiB, KiB,
// bytes, bytes, bytes, KiB, KiB, bytes): hwm = peak RSS (VmHWM) before and after the open, unused = the
// in-memory arrays' unused capacity (DurableIndex::unused_capacity_bytes);
// held_code_bytes = what the in-memory index's code arrays hold for size() vectors (for an IndexCodecFlat
// under fast scan: the packed 4-bit sub-codes in 32-vector blocks + the per-vector side bytes; otherwise
// the code bytes), id_bytes = the id layer's array (0 while the ids are one contiguous run).
// For an IVF index, held_code_bytes = the codec's code bytes without the list number (what the lists must
// hold at least) and id_bytes = the 8-byte ids the lists keep (faiss::IndexIVF keeps every id).
int print_rss_after_open(const std::string& path) {
  const long hwm_before = rss_kib("VmHWM:");
  const long before = rss_kib();
  auto index = DurableIndex::open(path);
  const long after = rss_kib();
  const long hwm_after = rss_kib("VmHWM:");
  size_t held = index->code_bytes();
  size_t id_bytes = index->id_bytes();
  const std::unique_ptr<faiss::Index> trained = index->trained_index_copy();
  if (const auto* flat = dynamic_cast<const ipaq::IndexCodecFlat*>(trained.get()); flat && flat->layout()) {
    held = flat->layout()->packed_bytes(index->size()) + index->size() * flat->codec().lut_side_size();
  } else if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(trained.get())) {
    held = index->size() * (trained->sa_code_size() - ivf->coarse_code_size());
    id_bytes = index->size() * sizeof(idx_t);
  }
  std::printf("%ld %ld %zu %zu %zu %ld %ld %zu\n", before, after, index->code_bytes(), held, id_bytes, hwm_before,
              hwm_after, index->unused_capacity_bytes());
  return 0;
}

// The baseline: SstFileWriter writing exactly the rows bulk_load writes (codes + raw, sorted ids), each
// file with its family's options (as bulk_load writes them).
void write_same_bytes_with_sst_writer(const std::string& dir, size_t n, size_t d, const float* x,
                                      const std::vector<uint8_t>& codes, size_t code_size) {
  fs::create_directories(dir);
  auto write_file = [&](const std::string& file, const std::function<rocksdb::Slice(size_t)>& value_of) {
    const std::string family = fs::path(file).stem().string();  // codes.sst -> "codes"
    const rocksdb::Options options(make_db_options({}), make_family_options(family));
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options);
    if (!writer.Open(file).ok()) throw std::runtime_error("open " + file);
    for (size_t i = 0; i < n; ++i) {
      const RowKey key = encode_row_key(static_cast<int64_t>(i));
      if (!writer.Put(rocksdb::Slice(key.data(), key.size()), value_of(i)).ok()) throw std::runtime_error("put");
    }
    if (!writer.Finish().ok()) throw std::runtime_error("finish " + file);
  };
  write_file(dir + "/codes.sst", [&](size_t i) {
    return rocksdb::Slice(reinterpret_cast<const char*>(codes.data() + i * code_size), code_size);
  });
  write_file(dir + "/raw.sst",
             [&](size_t i) { return rocksdb::Slice(reinterpret_cast<const char*>(x + i * d), d * sizeof(float)); });
}

// Opening and closing the RocksDB database alone (WAL replay, MANIFEST, table handles), with the store's
// options and Env: the fixed part of a reopen that the strict scan baseline does not pay.
double bare_open_seconds(const std::string& path) {
  const std::unique_ptr<rocksdb::Env> env = make_store_env(nullptr);
  SchemaOptions schema;
  schema.env = env.get();
  return seconds_of([&] {
    rocksdb::DB* db = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    if (!rocksdb::DB::Open(make_db_options(schema), path, make_family_descriptors(), &handles, &db).ok()) {
      throw std::runtime_error("open of " + path);
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  });
}

// Sequential scan of `codes`, copying every value into one array reserved up front for `bytes` (what a
// reopen must at least do; no reallocation, so the baseline is not slowed by growing its buffer).
// Strict baseline (with_open = false): the database is opened read-only (no writes, no syncs) before the
// clock starts, i.e. a scan on an already-open database. with_open = true: the clock also covers a
// read-write DB::Open with the store's options and Env (what any writer must open first); neither
// includes closing.
// default_read_options: a default rocksdb::ReadOptions instead of the reopen's make_read_options(true).
double scan_codes_seconds(const std::string& path, bool cpu, size_t bytes, bool with_open = false,
                          bool default_read_options = false) {
  const std::unique_ptr<rocksdb::Env> env = make_store_env(nullptr);
  SchemaOptions schema;
  schema.env = env.get();
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto open = [&] {
    const rocksdb::Status s = with_open ? rocksdb::DB::Open(make_db_options(schema), path, make_family_descriptors(), &handles, &db)
                                        : rocksdb::DB::OpenForReadOnly(make_db_options(schema), path, make_family_descriptors(), &handles, &db);
    if (!s.ok()) throw std::runtime_error("open of " + path + ": " + s.ToString());
  };
  if (!with_open) open();
  std::vector<char> copy;
  copy.reserve(bytes);
  const double s = (cpu ? cpu_seconds_of : seconds_of)([&] {
    if (with_open) open();
    const rocksdb::ReadOptions read = default_read_options ? rocksdb::ReadOptions() : make_read_options(true);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, handles[kCodesSlot]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) copy.insert(copy.end(), it->value().data(), it->value().data() + it->value().size());
  });
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return s;
}

void run(const std::string& name, size_t n, size_t d, const float* x, const std::string& descriptor, int reps,
         const std::string& self, const std::string& parts) {
  auto wanted = [&](const char* part) { return parts == "all" || parts.find(part) != std::string::npos; };
  const std::string work = (fs::temp_directory_path() / ("ipaq-storage-bench-" + name)).string();
  fs::remove_all(work);
  fs::create_directories(work);
  IndexSpec spec;
  spec.dim = d;
  spec.descriptor = descriptor;
  spec.metric = faiss::METRIC_L2;
  const std::vector<int64_t> ids = ipaq::storage::testing::id_range(0, n);
  const size_t train_n = std::min<size_t>(n, 20000);

  std::vector<double> bulk_s, sst_s, encode_s, bulk_cpu, sst_cpu, encode_cpu;
  // Wall and process CPU seconds of one call.
  auto timed = [](std::vector<double>& wall, std::vector<double>& cpu, const std::function<void()>& f) {
    double w = 0;
    cpu.push_back(cpu_seconds_of([&] { w = seconds_of(f); }));
    wall.push_back(w);
  };
  size_t code_size = 0;
  std::vector<uint8_t> codes;
  std::unique_ptr<faiss::Index> trained;
  const std::string db = work + "/db";
  const int bulk_reps = wanted("bulk") ? reps : 1;
  for (int r = 0; r < bulk_reps; ++r) {
    fs::remove_all(db);
    auto index = DurableIndex::create(db, spec);
    if (!index->is_trained()) index->train(static_cast<idx_t>(train_n), x);
    trained = index->trained_index_copy();
    code_size = trained->sa_code_size();
    codes.assign(n * code_size, 0);
    timed(encode_s, encode_cpu, [&] { trained->sa_encode(static_cast<idx_t>(n), x, codes.data()); });
    timed(bulk_s, bulk_cpu, [&] { index->bulk_load(static_cast<idx_t>(n), x, ids.data()); });
    fs::remove_all(work + "/sst");
    timed(sst_s, sst_cpu, [&] { write_same_bytes_with_sst_writer(work + "/sst", n, d, x, codes, code_size); });
  }
  const double row_bytes = static_cast<double>(kRowKeySize * 2 + code_size + d * sizeof(float));
  const double mb = n * row_bytes / 1e6;
  std::printf("%s: n=%zu d=%zu descriptor=%s code_size=%zu bytes, raw kept, reps=%d (medians)\n", name.c_str(), n, d,
              descriptor.c_str(), code_size, reps);
  std::printf("  bulk_load            %8.3f s  %10.0f vec/s  %7.1f MB/s  (of which encode %.3f s)\n", median(bulk_s),
              n / median(bulk_s), mb / median(bulk_s), median(encode_s));
  std::printf("  SstFileWriter alone  %8.3f s  %10.0f vec/s  %7.1f MB/s\n", median(sst_s), n / median(sst_s),
              mb / median(sst_s));
  std::printf("  bulk / SstFileWriter throughput = %.2f (without encode: %.2f)\n", median(sst_s) / median(bulk_s),
              median(sst_s) / (median(bulk_s) - median(encode_s)));
  std::printf("  CPU seconds (all threads): bulk_load %.3f, encode alone %.3f, SstFileWriter %.3f; "
              "SstFileWriter / bulk CPU = %.2f\n",
              median(bulk_cpu), median(encode_cpu), median(sst_cpu), median(sst_cpu) / median(bulk_cpu));

  // Incremental adds, 1,000 vectors per call, fsync per batch.
  if (wanted("inc")) {
    const size_t n_inc = std::min<size_t>(n, 100000);
    const std::string inc = work + "/inc";
    std::vector<double> inc_s;
    for (int r = 0; r < reps; ++r) {
      fs::remove_all(inc);
      auto index = DurableIndex::create(inc, spec);
      if (!index->is_trained()) index->train(static_cast<idx_t>(train_n), x);
      inc_s.push_back(seconds_of([&] {
        for (size_t b = 0; b < n_inc; b += 1000) {
          const size_t m = std::min<size_t>(1000, n_inc - b);
          index->add_with_ids(static_cast<idx_t>(m), x + b * d, ids.data() + b);
        }
      }));
    }
    fs::remove_all(inc);
    std::printf("  incremental add      %8.3f s  %10.0f vec/s  (%zu vectors, batches of 1000, sync)\n", median(inc_s),
                n_inc / median(inc_s), n_inc);
  }

  // Searches while one writer adds (the mission's "updated while it serves"): one thread runs single-query
  // searches (k = 10) back to back while another adds batches of 1,000 vectors (fsync per batch) to a
  // store bulk-loaded with the first half; each search's wall latency, against the same searches with no
  // writer. A write excludes searches while it changes the store and memory (durable_index.h): the
  // latency tail shows how long. Run it with OMP_NUM_THREADS=1 (one core each).
  if (wanted("serve")) {
    const size_t n_base = std::min<size_t>(n / 2, 50000), n_add = std::min<size_t>(n - n_base, 20000);
    const std::string serve = work + "/serve";
    fs::remove_all(serve);
    auto index = DurableIndex::create(serve, spec);
    if (!index->is_trained()) index->train(static_cast<idx_t>(train_n), x);
    index->bulk_load(static_cast<idx_t>(n_base), x, ids.data());
    constexpr size_t kQueryRows = 1000, kK = 10;
    // Latencies (µs) of searches until `stop` is set (at least `at_least` of them).
    auto search_loop = [&](const std::atomic<bool>& stop, size_t at_least) {
      std::vector<double> us;
      float distances[kK];
      idx_t labels[kK];
      for (size_t q = 0; q < at_least || !stop.load(); ++q) {
        const float* query = x + (q % kQueryRows) * d;
        us.push_back(1e6 * seconds_of([&] { index->search(1, query, kK, distances, labels); }));
      }
      return us;
    };
    auto percentile = [](std::vector<double> v, double p) {
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
    };
    const std::atomic<bool> never{true};
    std::atomic<bool> added{false};
    double add_s = 0;
    std::thread writer([&] {
      add_s = seconds_of([&] {
        for (size_t b = n_base; b < n_base + n_add; b += 1000) {
          const size_t m = std::min<size_t>(1000, n_base + n_add - b);
          index->add_with_ids(static_cast<idx_t>(m), x + b * d, ids.data() + b);
        }
      });
      added = true;
    });
    const std::vector<double> busy = search_loop(added, 1);
    writer.join();
    const std::vector<double> quiet = search_loop(never, busy.size());
    std::printf("  serve: %zu searches (k=%zu, 1 query each) beside %zu adds in batches of 1000 (%.3f s, %.0f vec/s), "
                "store of %zu -> %zu\n", busy.size(), kK, n_add, add_s, n_add / add_s, n_base, n_base + n_add);
    std::printf("    search latency us   p50 %8.0f  p90 %8.0f  p99 %8.0f  max %8.0f   (beside the writer)\n",
                percentile(busy, 0.5), percentile(busy, 0.9), percentile(busy, 0.99), percentile(busy, 1.0));
    std::printf("                        p50 %8.0f  p90 %8.0f  p99 %8.0f  max %8.0f   (no writer, same count)\n",
                percentile(quiet, 0.5), percentile(quiet, 0.9), percentile(quiet, 0.99), percentile(quiet, 1.0));
    // The same beside one bulk_load of the remaining rows (up to 20,000): it excludes searches only while
    // it appends them to memory.
    const size_t first_bulk = n_base + n_add, n_bulk = std::min<size_t>(n - first_bulk, 20000);
    if (n_bulk > 0) {
      std::atomic<bool> loaded{false};
      double bulk_s = 0;
      std::exception_ptr load_error;
      std::thread loader([&] {
        try {
          bulk_s = seconds_of([&] {
            index->bulk_load(static_cast<idx_t>(n_bulk), x + first_bulk * d, ids.data() + first_bulk);
          });
        } catch (...) {
          load_error = std::current_exception();
        }
        loaded = true;
      });
      const std::vector<double> beside_bulk = search_loop(loaded, 1);
      loader.join();
      if (load_error) std::rethrow_exception(load_error);
      std::printf("    %zu searches beside one bulk_load of %zu vectors (%.3f s)\n", beside_bulk.size(), n_bulk, bulk_s);
      std::printf("    search latency us   p50 %8.0f  p90 %8.0f  p99 %8.0f  max %8.0f   (beside the bulk load)\n",
                  percentile(beside_bulk, 0.5), percentile(beside_bulk, 0.9), percentile(beside_bulk, 0.99),
                  percentile(beside_bulk, 1.0));
    }
    index.reset();
    fs::remove_all(serve);
  }

  // Reopen vs a plain scan of `codes` (page cache warm for both: one untimed scan first).
  if (wanted("reopen")) {
    scan_codes_seconds(db, false, n * code_size);
    std::vector<double> open_s, scan_s, scan_open_s, bare_s, open_cpu, scan_cpu, default_scan_s, default_scan_cpu;
    std::vector<double> writable_s, writable_cpu;
    for (int r = 0; r < reps; ++r) {
      scan_s.push_back(scan_codes_seconds(db, false, n * code_size));
      scan_open_s.push_back(scan_codes_seconds(db, false, n * code_size, /*with_open=*/true));
      scan_cpu.push_back(scan_codes_seconds(db, true, n * code_size));
      default_scan_s.push_back(scan_codes_seconds(db, false, n * code_size, false, /*default_read_options=*/true));
      default_scan_cpu.push_back(scan_codes_seconds(db, true, n * code_size, false, /*default_read_options=*/true));
      bare_s.push_back(bare_open_seconds(db));
      // Timed: the open alone; closing and freeing happen after the clock stops (as the scan baseline's
      // array is freed after its clock stops).
      std::unique_ptr<DurableIndex> opened;
      open_s.push_back(seconds_of([&] { opened = DurableIndex::open(db); }));
      opened.reset();
      open_cpu.push_back(cpu_seconds_of([&] { opened = DurableIndex::open(db); }));
      opened.reset();
      // Reopen, then what the first write adds: the read-write open (prepare_for_writes triggers it and
      // writes no row).
      auto writable = [&] {
        opened = DurableIndex::open(db);
        opened->prepare_for_writes();
      };
      double w = 0;
      writable_cpu.push_back(cpu_seconds_of([&] { w = seconds_of(writable); }));
      writable_s.push_back(w);
      opened.reset();
    }
    std::vector<double> add_cpu;
    for (int r = 0; r < reps; ++r) {
      std::unique_ptr<faiss::Index> empty = ipaq::read_index_bytes([&] {
        std::string bytes;
        ipaq::write_index(trained.get(), &bytes);
        return bytes;
      }());
      faiss::IndexIDMap map(empty.get());
      add_cpu.push_back(cpu_seconds_of([&] { ipaq::add_sa_codes(map, static_cast<idx_t>(n), codes.data(), ids.data()); }));
    }
    std::printf("  reopen CPU time      %8.3f s   codes scan CPU %.3f s   ratio %.2f; of which the index layer's "
                "add_sa_codes alone %.3f s, the rest / scan = %.2f\n",
                median(open_cpu), median(scan_cpu), median(open_cpu) / median(scan_cpu), median(add_cpu),
                (median(open_cpu) - median(add_cpu)) / median(scan_cpu));
    std::printf("  reopen               %8.3f s   codes scan %.3f s   ratio %.2f   (RocksDB open+close alone %.3f s; "
                "reopen minus it / scan = %.2f)\n",
                median(open_s), median(scan_s), median(open_s) / median(scan_s), median(bare_s),
                (median(open_s) - median(bare_s)) / median(scan_s));
    std::printf("  reopen               %8.3f s   read-write DB::Open + codes scan %.3f s   ratio %.2f\n", median(open_s),
                median(scan_open_s), median(open_s) / median(scan_open_s));
    std::printf("  codes scan with default ReadOptions: wall %.3f s, CPU %.3f s; reopen / it: wall %.2f, CPU %.2f\n",
                median(default_scan_s), median(default_scan_cpu), median(open_s) / median(default_scan_s),
                median(open_cpu) / median(default_scan_cpu));
    std::printf("  reopen + read-write open (first write)  wall %.3f s, CPU %.3f s; / codes scan: wall %.2f, CPU %.2f\n",
                median(writable_s), median(writable_cpu), median(writable_s) / median(scan_s),
                median(writable_cpu) / median(scan_cpu));
  }

  // RSS in a fresh process.
  if (wanted("rss")) {
    const std::string command = self + " --rss " + db;
    FILE* p = popen(command.c_str(), "r");
    long before = 0, after = 0, hwm_before = 0, hwm_after = 0;
    size_t code_bytes = 0, held = 0, id_bytes = 0, unused = 0;
    if (p == nullptr || std::fscanf(p, "%ld %ld %zu %zu %zu %ld %ld %zu", &before, &after, &code_bytes, &held, &id_bytes,
                                    &hwm_before, &hwm_after, &unused) != 8) {
      std::printf("  RSS: child failed\n");
    } else {
      const double added = (after - before) * 1024.0;
      const double rest = added - held - id_bytes;
      std::printf("  RSS after reopen: +%.1f MiB over %.1f MiB before open; code bytes %.1f MiB; "
                  "extra %.1f MiB (%.1f bytes/vector)\n",
                  added / 1048576.0, before / 1024.0, code_bytes / 1048576.0, (added - code_bytes) / 1048576.0,
                  (added - code_bytes) / n);
      std::printf("    added = in-memory code arrays %.1f MiB (%.1f B/vector; code size %zu) + ids %.1f MiB "
                  "(%.1f B/vector) + rest %.1f MiB (%.1f B/vector)\n",
                  held / 1048576.0, double(held) / n, code_size, id_bytes / 1048576.0, double(id_bytes) / n,
                  rest / 1048576.0, rest / n);
      std::printf("    peak RSS during the open: +%.1f MiB over RSS before it (peak before it: %.1f MiB); unused "
                  "capacity of the in-memory arrays %.2f MiB\n",
                  (hwm_after - before) / 1024.0, hwm_before / 1024.0, unused / 1048576.0);
    }
    if (p != nullptr) pclose(p);
  }
  if (const char* keep = std::getenv("STORAGE_BENCH_KEEP"); keep != nullptr && *keep != '\0') {
    fs::remove_all(keep);
    fs::copy(db, keep, fs::copy_options::recursive);
  }
  fs::remove_all(work);
}

int reopen_loop(const std::string& path, int reps) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    std::unique_ptr<DurableIndex> opened;
    double w = 0;
    cpu.push_back(cpu_seconds_of([&] { w = seconds_of([&] { opened = DurableIndex::open(path); }); }));
    wall.push_back(w);
    opened.reset();
  }
  std::printf("%d reopens of %s: median wall %.4f s, CPU %.4f s\n", reps, path.c_str(), median(wall), median(cpu));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string self = fs::canonical("/proc/self/exe").string();
    if (argc == 3 && std::strcmp(argv[1], "--rss") == 0) return print_rss_after_open(argv[2]);
    if (argc == 4 && std::strcmp(argv[1], "--reopen-loop") == 0) return reopen_loop(argv[2], std::stoi(argv[3]));
    if (argc >= 3 && std::strcmp(argv[1], "synthetic") == 0) {
      const size_t n = std::stoul(argv[2]);
      const int reps = argc > 3 ? std::stoi(argv[3]) : 3;
      const std::vector<float> x = ipaq::storage::testing::gaussian_rows(0, n, 128, 1);
      run("synthetic", n, 128, x.data(), argc > 5 ? argv[5] : "TQ4", reps, self, argc > 4 ? argv[4] : "all");
      return 0;
    }
    if (argc >= 2 && std::strcmp(argv[1], "fmnist") == 0) {
      const int reps = argc > 2 ? std::stoi(argv[2]) : 3;
      const auto m = ipaq::io::read_vectors("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
      run("fmnist", m.n, m.d, m.data.data(), argc > 4 ? argv[4] : "RaBitQ1", reps, self, argc > 3 ? argv[3] : "all");
      return 0;
    }
    std::fprintf(stderr, "usage: storage_bench synthetic <n> [reps [parts [descriptor]]] | fmnist [reps [parts [descriptor]]]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "storage_bench: %s\n", e.what());
    return 1;
  }
}
