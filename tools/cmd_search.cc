// `ipaq search`: k nearest neighbours of every query in a database built by `ipaq build`.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "tools/args.h"
#include "tools/command.h"
#include "tools/eval_runner.h"
#include "tools/search_output.h"
#include "tools/text_file.h"
#include "tools/vector_input.h"

namespace ipaq::cli {
namespace {

ArgParser search_parser() {
  ArgParser p("ipaq search --db DIR --queries FILE -k K [options]",
              "Searches every query in the database, prints the time and QPS, and writes the ids\n"
              "and distances (--out: .ivecs ids, .fvecs distances, .csv or .json).");
  p.required("--db", "DIR", "database built by `ipaq build`")
      .required("--queries", "FILE", "query vectors (FILE.hdf5[:DATASET], default dataset test)")
      .required("-k", "K", "neighbours per query")
      .option("--nprobe", "N", "IVF lists probed (IVF indexes)")
      .option("--rerank", "F", "rerank k*F candidates with the stored float vectors")
      .option("--out", "FILE", "results file (.ivecs, .fvecs, .csv, .json)")
      .option("--gt", "FILE", "ground-truth ids: also print recall@k")
      .option("--nq", "N", "use the first N queries")
      .flag("--normalize", "L2-normalise the queries (as at build time)");
  return p;
}

int run_search(const std::vector<std::string>& argv) {
  const auto args = parse_or_print_help(search_parser(), argv);
  if (!args) return 0;
  const int64_t k = args->get_int_in("-k", 1, kMaxK);
  storage::SearchOptions options;
  options.nprobe = static_cast<int>(args->get_int_or("--nprobe", 1, kMaxK, 0));
  if (args->has("--rerank")) options.rerank_factor = static_cast<float>(args->get_double_in("--rerank", 1, 1000));
  if (args->has("--out")) {
    check_search_output_path(args->get("--out"));
    check_output_path("--out", args->get("--out"));
  }
  const size_t nq = static_cast<size_t>(args->get_int_or("--nq", 1, kMaxRows, 0));
  const std::string db_path = args->get("--db");
  IPAQ_CHECK(std::filesystem::is_directory(db_path), IoError, "--db ", db_path, ": no such database directory");
  const io::FloatMatrix queries = load_vectors(args->get("--queries"), "test", nq, args->flag("--normalize"));

  auto db = storage::DurableIndex::open(db_path);
  IPAQ_CHECK_ARG(queries.d == db->dim(), "queries (", args->get("--queries"), ") have dimension ", queries.d,
                 " but the database holds dimension ", db->dim());
  IPAQ_CHECK_ARG(static_cast<size_t>(k) <= db->size(), "-k ", k, " exceeds the ", db->size(),
                 " vectors in the database");
  io::IntMatrix gt;  // read and checked before searching
  if (args->has("--gt")) {
    gt = load_ids(args->get("--gt"), "neighbors");
    // Ids are 0..n-1 as `ipaq build` stores them; size() is their count.
    check_ground_truth(gt, args->get("--gt"), queries.n, static_cast<size_t>(k), db->size());
  }
  const size_t kk = static_cast<size_t>(k);
  std::vector<float> distances(queries.n * kk);
  std::vector<storage::DurableIndex::idx_t> labels(queries.n * kk);
  const auto start = std::chrono::steady_clock::now();
  db->search(static_cast<storage::DurableIndex::idx_t>(queries.n), queries.data.data(), k, distances.data(),
             labels.data(), options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<int64_t> ids(labels.begin(), labels.end());
  std::printf("searched %zu queries (k = %lld) in %.4f s: %.1f QPS (%d threads)\n", queries.n,
              static_cast<long long>(k), seconds, static_cast<double>(queries.n) / std::max(seconds, 1e-9),
              omp_get_max_threads());
  if (args->has("--gt")) {
    std::printf("recall@%lld: %.4f\n", static_cast<long long>(k), recall_at_k(ids, gt, queries.n, static_cast<int>(k)));
  }
  if (args->has("--out")) write_search_results(args->get("--out"), queries.n, kk, distances, ids);
  return 0;
}

const Registration kReg{"search", "search a database built by `ipaq build`", &run_search};

}  // namespace
}  // namespace ipaq::cli
