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
#include "tools/text_file.h"
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
      .option("--workload", "FILE", "sample queries for ASQ{b}w codecs (held out, not the evaluated ones)")
      .option("--threads", "T", "threads of the all-threads QPS (default: all cores)")
      .flag("--normalize", "L2-normalise base and queries (cosine data for --metric ip)")
      .option("--cache-dir", "DIR", "ground-truth cache when the data directory is read-only")
      .option("--json", "OUT", "write the results as JSON")
      .option("--csv", "OUT", "write the results as CSV")
      .option("--plot", "OUT.png", "draw recall vs QPS with gnuplot");
  return p;
}

int run_eval(const std::vector<std::string>& argv) {
  const auto args = parse_or_print_help(eval_parser(), argv);
  if (!args) return 0;
  EvalSettings settings;
  settings.metric = parse_metric(args->get("--metric"));
  const int64_t k = args->get_int_in("-k", 1, kMaxK);
  settings.k = static_cast<int>(k);
  settings.train_size = static_cast<size_t>(args->get_int_in("--train-size", 0, kMaxRows));
  settings.threads = static_cast<int>(args->get_int_or("--threads", 1, 1024, omp_get_max_threads()));
  for (const std::string& v : args->get_list("--nprobe")) {
    settings.nprobes.push_back(static_cast<int>(ParsedArgs::parse_int_in("--nprobe", v, 1, kMaxK)));
  }
  for (const std::string& v : args->get_list("--rerank")) {
    settings.reranks.push_back(static_cast<float>(ParsedArgs::parse_double_in("--rerank", v, 1, 1000)));
  }
  const auto& ipaq_descs = args->get_list("--index");
  const auto& faiss_descs = args->get_list("--faiss");
  IPAQ_CHECK_ARG(!ipaq_descs.empty() || !faiss_descs.empty(), "nothing to evaluate: give --index and/or --faiss");
  for (const char* option : {"--json", "--csv", "--plot"}) {
    if (args->has(option)) check_output_path(option, args->get(option));
  }

  const bool normalize = args->flag("--normalize");
  io::FloatMatrix base =
      load_vectors(args->get("--base"), "train", args->get_int_or("--nb", 1, kMaxRows, 0), normalize);
  io::FloatMatrix queries =
      load_vectors(args->get("--queries"), "test", args->get_int_or("--nq", 1, kMaxRows, 0), normalize);
  IPAQ_CHECK_ARG(base.d == queries.d, "base vectors (", args->get("--base"), ") have dimension ", base.d,
                 " but queries (", args->get("--queries"), ") have ", queries.d);
  IPAQ_CHECK_ARG(static_cast<size_t>(k) <= base.n, "-k ", k, " exceeds the ", base.n, " base vectors");
  if (args->has("--workload")) settings.workload = load_workload(args->get("--workload"), base.d, normalize);
  const std::pair<IndexFamily, std::vector<std::string>> families[] = {{IndexFamily::kIpaq, ipaq_descs},
                                                                        {IndexFamily::kFaiss, faiss_descs}};
  // Every descriptor is checked (built untrained, dropped) before the ground truth or any index is computed.
  for (const auto& [family, descs] : families) {
    for (const std::string& desc : descs) make_index(family, static_cast<int>(base.d), desc, settings.metric);
  }

  EvalReport report;
  report.base_path = args->get("--base");
  report.queries_path = args->get("--queries");
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
  if (args->has("--gt")) {
    gt = load_ids(args->get("--gt"), "neighbors");
    check_ground_truth(gt, args->get("--gt"), queries.n, static_cast<size_t>(k), base.n);
    report.ground_truth_source = "file " + args->get("--gt");
  } else {
    std::fprintf(stderr, "ground truth: exact search of %zu queries over %zu vectors...\n", queries.n, base.n);
    GroundTruthCache cache{parse_file_spec(args->get("--base")).path,
                           args->has("--cache-dir") ? args->get("--cache-dir") : ""};
    gt = cached_ground_truth(base, queries, settings.k, settings.metric, cache, &report.ground_truth_source);
  }
  std::fprintf(stderr, "ground truth: %s\n", report.ground_truth_source.c_str());

  auto log = [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); };
  for (const auto& [family, descs] : families) {
    for (const std::string& desc : descs) {
      std::vector<EvalRow> rows = evaluate_descriptor(family, desc, base, queries, gt, settings, log);
      report.rows.insert(report.rows.end(), rows.begin(), rows.end());
    }
  }
  std::fputs(format_table(report).c_str(), stdout);
  if (args->has("--json")) write_json(args->get("--json"), report);
  if (args->has("--csv")) write_csv(args->get("--csv"), report);
  if (args->has("--plot")) plot_recall_qps(args->get("--plot"), report);
  return 0;
}

const Registration kReg{"eval", "recall/QPS of ipaq and FAISS indexes on the same data", &run_eval};

}  // namespace
}  // namespace ipaq::cli
