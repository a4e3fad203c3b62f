// `ipaq build`: trains an index on a vector file and writes it, with every vector, to a durable database.
//
// No half-written database: everything is built in a hidden sibling directory (".NAME.building-PID")
// that is renamed to --db only after the last vector is stored and the database is flushed and closed;
// on any error, SIGINT or SIGTERM the sibling is removed and --db never appears (tools/staging_dir.h); a
// build also removes the staging directories of the same --db left by dead processes (SIGKILL).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "tools/args.h"
#include "tools/command.h"
#include "tools/index_maker.h"
#include "tools/progress_bar.h"
#include "tools/staging_dir.h"
#include "tools/training_sample.h"
#include "tools/vector_input.h"

namespace ipaq::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

ArgParser build_parser() {
  ArgParser p("ipaq build --base FILE --index DESC --db DIR [options]",
              "Trains the index described by DESC (ipaq::index_factory: ipaq or FAISS descriptors) on the\n"
              "base vectors, adds all of them with ids 0..n-1, and stores the index in a new RocksDB\n"
              "database DIR (codes, and the float vectors for --rerank at search time).");
  p.required("--base", "FILE", "base vectors (.fvecs/.bvecs/.npy/IDX/HDF5 FILE.hdf5[:DATASET])")
      .required("--index", "DESC", "index descriptor, e.g. RaBitQ1, IVF256,TQ4, PQ16x8np")
      .required("--db", "DIR", "database directory to create (must not exist)")
      .option("--metric", "ip|l2", "similarity", "l2")
      .option("--train-size", "N", "train on a seeded sample of N vectors (0 = all)", "0")
      .option("--nb", "N", "use the first N base vectors")
      .option("--batch", "N", "vectors per atomic write", "10000")
      .option("--seed", "S", "seed of the index (rotations, rounding) and of the training sample", "1234")
      .option("--workload", "FILE", "sample queries for ASQ{b}w codecs (workload-weighted objective)")
      .flag("--normalize", "L2-normalise the vectors (cosine data for --metric ip)")
      .flag("--no-raw", "do not store the float vectors (smaller; no rerank at search time)");
  return p;
}

void build_into(const std::string& dir, const io::FloatMatrix& base, const io::FloatMatrix& workload,
                const storage::IndexSpec& spec, size_t train_size, size_t batch, const StagingCleanup& cleanup) {
  std::unique_ptr<storage::DurableIndex> db;
  {
    const auto hold = cleanup.hold_removal();  // DB::Open re-creates `dir` if an interrupt removes it midway
    db = storage::DurableIndex::create(dir, spec);
  }
  if (!db->is_trained()) {
    const std::vector<float> sample = training_sample(base, train_size, spec.seed);
    const size_t rows = sample.empty() ? base.n : train_size;
    std::fprintf(stderr, "training %s on %zu vectors...\n", spec.descriptor.c_str(), rows);
    const auto start = Clock::now();
    db->train(static_cast<storage::DurableIndex::idx_t>(rows), sample.empty() ? base.data.data() : sample.data(),
              static_cast<storage::DurableIndex::idx_t>(workload.n), workload.data.data());
    std::fprintf(stderr, "trained in %.2f s\n", std::chrono::duration<double>(Clock::now() - start).count());
  }
  ProgressBar bar("adding", base.n);
  std::vector<storage::DurableIndex::idx_t> ids(std::min(batch, base.n));
  for (size_t first = 0; first < base.n; first += batch) {
    const size_t count = std::min(batch, base.n - first);
    std::iota(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(count),
              static_cast<storage::DurableIndex::idx_t>(first));
    db->add_with_ids(static_cast<storage::DurableIndex::idx_t>(count), base.row(first), ids.data());
    bar.update(first + count);
  }
  bar.finish();
  db->flush();
  db->close();
}

// --db as given, without trailing separators ("db/" names db), checked to be a new name: nothing there,
// not even a dangling symlink (its target would be created after the whole build, or the rename fail).
fs::path new_db_path(const std::string& argument) {
  fs::path db_path = fs::path(argument).lexically_normal();
  if (!db_path.has_filename() && db_path.has_relative_path()) db_path = db_path.parent_path();
  IPAQ_CHECK_ARG(!db_path.empty() && db_path.has_filename() && db_path.filename() != "." &&
                     db_path.filename() != "..",
                 "--db '", argument, "' is not a usable directory name");
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(db_path, ec);
  IPAQ_CHECK_ARG(!fs::exists(status), "--db ", db_path.string(),
                 fs::is_symlink(status) ? " is a symbolic link" : " already exists", "; choose a new directory");
  const fs::path parent = db_path.has_parent_path() ? db_path.parent_path() : fs::path(".");
  IPAQ_CHECK(fs::is_directory(parent, ec), IoError, "--db ", db_path.string(), ": parent directory ",
             parent.string(), " does not exist");
  IPAQ_CHECK(::access(parent.c_str(), W_OK) == 0, IoError, "--db ", db_path.string(), ": parent directory ",
             parent.string(), " is not writable");
  return db_path;
}

int run_build(const std::vector<std::string>& argv) {
  const auto args = parse_or_print_help(build_parser(), argv);
  if (!args) return 0;
  const fs::path db_path = new_db_path(args->get("--db"));
  const fs::path staging = staging_path(db_path, ::getpid());
  const StagingCleanup cleanup(staging);  // from here SIGINT / SIGTERM remove the staging directory
  storage::IndexSpec spec;
  spec.metric = parse_metric(args->get("--metric"));
  spec.descriptor = args->get("--index");
  spec.seed = static_cast<uint64_t>(args->get_int_in("--seed", 0, kMaxSeed));
  spec.keep_raw = !args->flag("--no-raw");
  const int64_t train_size = args->get_int_in("--train-size", 0, kMaxRows);
  const size_t batch = static_cast<size_t>(args->get_int_in("--batch", 1, kMaxRows));
  const size_t nb = static_cast<size_t>(args->get_int_or("--nb", 1, kMaxRows, 0));

  const io::FloatMatrix base = load_vectors(args->get("--base"), "train", nb, args->flag("--normalize"));
  spec.dim = base.d;
  // Fails early on an unknown descriptor or a missing workload, before anything is written.
  const std::unique_ptr<faiss::Index> probe =
      make_index(IndexFamily::kIpaq, static_cast<int>(base.d), spec.descriptor, spec.metric);
  const io::FloatMatrix workload = args->has("--workload")
                                      ? load_workload(args->get("--workload"), base.d, args->flag("--normalize"))
                                      : io::FloatMatrix{};
  check_query_workload(*probe, spec.descriptor, workload, base.d);

  remove_stale_staging_dirs(db_path);
  const auto start = Clock::now();
  try {
    try {
      build_into(staging.string(), base, workload, spec, static_cast<size_t>(train_size), batch, cleanup);
      fs::rename(staging, db_path);
    } catch (const fs::filesystem_error& e) {  // e.g. --db under /proc: an ipaq error naming --db
      throw IoError(format_message("--db ", db_path.string(), ": ", e.code().message(), " (",
                                   e.path1().string(), ")"));
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
  std::printf("built %s: %zu vectors of dimension %zu, index %s, metric %s, in %.2f s\n", db_path.c_str(),
              base.n, base.d, spec.descriptor.c_str(), metric_name(spec.metric),
              std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}

const Registration kReg{"build", "train an index and store it with all vectors in a database", &run_build};

}  // namespace
}  // namespace ipaq::cli
