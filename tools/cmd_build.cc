// `ipaq build`: trains an index on a vector file and writes it, with every vector, to a durable database.
//
// No half-written database: everything is built in a hidden sibling directory (".NAME.building-PID")
// that is renamed to --db only after the last vector is stored and the database is flushed and closed;
// on any error the sibling is removed and --db never appears.
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
                const storage::IndexSpec& spec, size_t train_size, size_t batch) {
  auto db = storage::DurableIndex::create(dir, spec);
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
  std::vector<storage::DurableIndex::idx_t> ids(batch);
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

int run_build(const std::vector<std::string>& argv) {
  const auto args = parse_or_print_help(build_parser(), argv);
  if (!args) return 0;
  const fs::path db_path = fs::path(args->get("--db")).lexically_normal();
  IPAQ_CHECK_ARG(!db_path.empty() && db_path.filename() != "." && db_path.filename() != "..",
                 "--db '", args->get("--db"), "' is not a usable directory name");
  IPAQ_CHECK_ARG(!fs::exists(db_path), "--db ", db_path.string(), " already exists; choose a new directory");
  storage::IndexSpec spec;
  spec.metric = parse_metric(args->get("--metric"));
  spec.descriptor = args->get("--index");
  spec.seed = static_cast<uint64_t>(args->get_int("--seed"));
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

  const fs::path parent = db_path.has_parent_path() ? db_path.parent_path() : fs::path(".");
  IPAQ_CHECK(fs::is_directory(parent), IoError, "--db ", db_path.string(), ": parent directory ",
             parent.string(), " does not exist");
  std::string staging_name = db_path.filename().string();
  staging_name.insert(0, 1, '.');
  staging_name += ".building-" + std::to_string(::getpid());
  const fs::path staging = parent / staging_name;
  const auto start = Clock::now();
  try {
    build_into(staging.string(), base, workload, spec, static_cast<size_t>(train_size), batch);
    fs::rename(staging, db_path);
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
