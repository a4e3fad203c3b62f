// `ipaq eval`: recall and speed of ipaq and FAISS indexes on the same data, in one process.
#include <faiss/utils/utils.h>
#include <omp.h>

#include <cstdio>
#include <string>
#include <vector>

#include "lib/core/error.h"
#include "tools/args.h"
#include "tools/command.h"
#include "tools/eval_report.h"
#include "tools/eval_runner.h"
#include "tools/ground_truth.h"
#include "tools/vector_input.h"

namespace ipaq::cli {
namespace {

ArgParser eval_parser() {
  ArgParser p("ipaq eval --base FILE --queries FILE --metric ip|l2 --index DESC... [options]",
              "Builds every index on the same data, searches all queries, and reports bytes per vector,\n"
              "train/add time, QPS (1 thread and all threads) and recall@k against exact ground truth\n"
              "(computed with FAISS IndexFlat and cached when --gt is not given). Files: .fvecs/.ivecs/\n"
              ".bvecs, .npy, IDX (.gz), HDF5 (FILE.hdf5[:DATASET]), raw .f32 not supported here.");
  p.required("--base", "FILE", "base vectors")
      .required("--queries", "FILE", "query vectors")
      .option("--gt", "FILE", "ground-truth ids (nq x >= k); default: computed exactly and cached")
      .required("--metric", "ip|l2", "similarity")
      .option("-k", "K", "neighbours per query", "10")
      .list("--index", "DESC", "ipaq descriptors (ipaq::index_factory), e.g. RaBitQ1 IVF256,TQ4")
      .list("--faiss", "DESC", "FAISS baseline descriptors (faiss::index_factory), e.g. PQ98x8")
      .list("--nprobe", "N", "nprobe values for IVF indexes")
      .list("--rerank", "F", "also rerank k*F candidates exactly (IndexRefineFlat), per F")
      .option("--nq", "N", "use the first N queries")
      .option("--nb", "N", "use the first N base vectors")
      .option("--train-size", "N", "train on a seeded sample of N base vectors (0 = all)", "0")
      .option("--threads", "T", "threads of the all-threads QPS (default: all cores)")
      .flag("--normalize", "L2-normalise base and queries (cosine data for --metric ip)")
      .option("--cache-dir", "DIR", "ground-truth cache when the data directory is read-only")
      .option("--json", "OUT", "write the results as JSON")
      .option("--csv", "OUT", "write the results as CSV")
      .option("--plot", "OUT.png", "draw recall vs QPS with gnuplot");
  return p;
}

size_t optional_count(const ParsedArgs& args, const char* name) {
  if (!args.has(name)) return 0;
  const int64_t v = args.get_int(name);
  IPAQ_CHECK_ARG(v > 0, "option ", name, " must be positive, got ", v);
  return static_cast<size_t>(v);
}

int run_eval(const std::vector<std::string>& argv) {
  const ArgParser parser = eval_parser();
  const ParsedArgs args = parser.parse(argv);
  if (args.help_requested()) {
    std::fputs(parser.help().c_str(), stdout);
    return 0;
  }
  EvalSettings settings;
  settings.metric = parse_metric(args.get("--metric"));
  const int64_t k = args.get_int("-k");
  IPAQ_CHECK_ARG(k > 0 && k <= 1 << 20, "-k must be in 1..", 1 << 20, ", got ", k);
  settings.k = static_cast<int>(k);
  const int64_t train_size = args.get_int("--train-size");
  IPAQ_CHECK_ARG(train_size >= 0, "--train-size must be >= 0, got ", train_size);
  settings.train_size = static_cast<size_t>(train_size);
  settings.threads = args.has("--threads") ? static_cast<int>(optional_count(args, "--threads"))
                                           : omp_get_max_threads();
  for (const std::string& v : args.get_list("--nprobe")) {
    const int64_t nprobe = ParsedArgs::parse_int("--nprobe", v);
    IPAQ_CHECK_ARG(nprobe >= 1 && nprobe <= 1 << 20, "--nprobe must be >= 1, got ", nprobe);
    settings.nprobes.push_back(static_cast<int>(nprobe));
  }
  for (const std::string& v : args.get_list("--rerank")) {
    const double factor = ParsedArgs::parse_double("--rerank", v);
    IPAQ_CHECK_ARG(factor >= 1 && factor <= 1000, "--rerank factor must be in [1, 1000], got ", v);
    settings.reranks.push_back(static_cast<float>(factor));
  }
  const auto& ipaq_descs = args.get_list("--index");
  const auto& faiss_descs = args.get_list("--faiss");
  IPAQ_CHECK_ARG(!ipaq_descs.empty() || !faiss_descs.empty(), "nothing to evaluate: give --index and/or --faiss");

  const bool normalize = args.flag("--normalize");
  io::FloatMatrix base = load_vectors(args.get("--base"), "train", optional_count(args, "--nb"), normalize);
  io::FloatMatrix queries = load_vectors(args.get("--queries"), "test", optional_count(args, "--nq"), normalize);
  IPAQ_CHECK_ARG(base.d == queries.d, "base vectors (", args.get("--base"), ") have dimension ", base.d,
                 " but queries (", args.get("--queries"), ") have ", queries.d);
  IPAQ_CHECK_ARG(static_cast<size_t>(k) <= base.n, "-k ", k, " exceeds the ", base.n, " base vectors");

  EvalReport report;
  report.base_path = args.get("--base");
  report.queries_path = args.get("--queries");
  report.n = base.n;
  report.nq = queries.n;
  report.d = base.d;
  report.metric = metric_name(settings.metric);
  report.normalized = normalize;
  report.k = settings.k;
  report.threads = settings.threads;
  report.train_size = settings.train_size;
  report.faiss_build = faiss::get_compile_options();

  io::IntMatrix gt;
  if (args.has("--gt")) {
    gt = load_ids(args.get("--gt"), "neighbors");
    IPAQ_CHECK_ARG(gt.n >= queries.n && gt.d >= static_cast<size_t>(k), "ground truth ", args.get("--gt"),
                   " is ", gt.n, " x ", gt.d, " but ", queries.n, " queries x k = ", k, " are needed");
    report.ground_truth_source = "file " + args.get("--gt");
  } else {
    std::fprintf(stderr, "ground truth: exact search of %zu queries over %zu vectors...\n", queries.n, base.n);
    GroundTruthCache cache{parse_file_spec(args.get("--base")).path,
                           args.has("--cache-dir") ? args.get("--cache-dir") : ""};
    gt = cached_ground_truth(base, queries, settings.k, settings.metric, cache, &report.ground_truth_source);
  }
  std::fprintf(stderr, "ground truth: %s\n", report.ground_truth_source.c_str());

  auto log = [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); };
  for (const auto& [family, descs] : {std::pair{IndexFamily::kIpaq, ipaq_descs},
                                      std::pair{IndexFamily::kFaiss, faiss_descs}}) {
    for (const std::string& desc : descs) {
      std::vector<EvalRow> rows = evaluate_descriptor(family, desc, base, queries, gt, settings, log);
      report.rows.insert(report.rows.end(), rows.begin(), rows.end());
    }
  }
  std::fputs(format_table(report).c_str(), stdout);
  if (args.has("--json")) write_json(args.get("--json"), report);
  if (args.has("--csv")) write_csv(args.get("--csv"), report);
  if (args.has("--plot")) plot_recall_qps(args.get("--plot"), report);
  return 0;
}

const Registration kReg{"eval", "recall/QPS of ipaq and FAISS indexes on the same data", &run_eval};

}  // namespace
}  // namespace ipaq::cli
