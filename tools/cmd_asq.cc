// `ipaq asq`: solve adaptive stochastic quantization for one vector and report its quality and cost.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "lib/asq/asq_solver.h"
#include "lib/asq/distributions.h"
#include "lib/core/error.h"
#include "tools/args.h"
#include "tools/command.h"
#include "tools/json_writer.h"
#include "tools/vector_input.h"

namespace ipaq::cli {
namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// Reads FILE as vectors; a raw float32 file (.f32/.bin) is taken as one vector of all its values.
io::FloatMatrix load_file(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".f32" || ext == ".bin") {
    IPAQ_CHECK(std::filesystem::is_regular_file(path), IoError, path, ": cannot open (no such file)");
    io::ReadOptions options;
    options.raw_dim = std::filesystem::file_size(path) / sizeof(float);
    IPAQ_CHECK_FORMAT(options.raw_dim > 0, path, ": empty raw float32 file");
    return io::read_vectors(path, options);
  }
  return load_vectors(path, "train", 0, false);
}

// The vector to quantize: one row of the file (--row) or all its values.
std::vector<double> input_values(const ParsedArgs& args) {
  if (args.has("--input")) {
    const io::FloatMatrix m = load_file(args.get("--input"));
    IPAQ_CHECK_ARG(m.n > 0 && m.d > 0, "--input ", args.get("--input"), ": no vectors");
    if (args.has("--row")) {
      const int64_t row = args.get_int("--row");
      IPAQ_CHECK_ARG(row >= 0 && static_cast<size_t>(row) < m.n, "--row ", row, " is outside [0, ", m.n, ")");
      return std::vector<double>(m.row(row), m.row(row) + m.d);
    }
    return std::vector<double>(m.data.begin(), m.data.end());
  }
  IPAQ_CHECK_ARG(args.has("--dist"), "give --input FILE or --dist NAME");
  // 2^30 values (8 GiB as doubles) bound the synthetic input: beyond, an allocation failure is all one gets.
  const int64_t d = args.get_int_in("--d", 1, int64_t{1} << 30);
  return asq::sample_distribution(args.get("--dist"), static_cast<size_t>(d),
                                  static_cast<uint64_t>(args.get_int_in("--seed", 0, kMaxSeed)));
}

int run_asq(const std::vector<std::string>& argv) {
  ArgParser parser(
      "ipaq asq [--input FILE [--row R] | --dist lognormal|normal|exponential|truncnorm|weibull --d N "
      "--seed S] --bits B --solver zipml|quiver|quiver-accel|wilber|approx|auto [--m M] "
      "[--objective mse|weighted|worst] [--weights FILE] [--levels] [--json]",
      "Chooses s = 2^B levels for one vector so that unbiased stochastic rounding has the least\n"
      "variance (objective mse), the least workload-weighted variance (weighted: weights are the\n"
      "per-coordinate second moments of the sample queries in --weights FILE, one row per query), or the\n"
      "least maximum per-coordinate variance (worst; solver ignored). FILE: .fvecs, .npy, raw float32\n"
      "(.f32/.bin, one vector), or any format `ipaq build` reads; all its values form the vector\n"
      "unless --row picks one row. vnmse = cost / Σ w x², max_var = max per-coordinate variance.");
  parser.option("--input", "FILE", "vector file")
      .option("--row", "R", "quantize only row R of FILE")
      .option("--dist", "NAME", "synthetic input distribution")
      .option("--d", "N", "synthetic input length", "1048576")
      .option("--seed", "S", "synthetic input seed", "1")
      .required("--bits", "B", "bits per coordinate, 1..16 (s = 2^B levels)")
      .option("--solver", "NAME", "ASQ solver", "auto")
      .option("--m", "M", "grid points of the approx solver (default 100*s)", "0")
      .option("--objective", "NAME", "mse | weighted | worst", "mse")
      .option("--weights", "FILE", "sample queries for --objective weighted")
      .flag("--levels", "print the levels")
      .flag("--json", "print one JSON object");
  const auto args = parse_or_print_help(parser, argv);
  if (!args) return 0;
  IPAQ_CHECK_ARG(!(args->has("--input") && args->has("--dist")), "give either --input or --dist, not both");
  const size_t s = asq::levels_for_bits(static_cast<int>(args->get_int("--bits")));
  const asq::Solver solver = asq::parse_solver(args->get("--solver"));
  const std::string objective = args->get("--objective");
  IPAQ_CHECK_ARG(objective == "mse" || objective == "weighted" || objective == "worst", "--objective '",
                 objective, "' is not mse, weighted or worst");
  const int64_t grid = args->get_int("--m");
  IPAQ_CHECK_ARG(grid == 0 || grid >= 2, "--m ", grid, " must be >= 2");

  std::vector<double> x = input_values(*args);
  std::vector<double> weights;
  if (objective == "weighted") {
    IPAQ_CHECK_ARG(args->has("--weights"), "--objective weighted needs --weights FILE");
    const io::FloatMatrix q = load_file(args->get("--weights"));
    IPAQ_CHECK_ARG(q.d == x.size(), "--weights ", args->get("--weights"), " has dimension ", q.d,
                   " but the input vector has ", x.size(), " values");
    weights = asq::second_moment_weights(q.data, q.n, q.d);
  } else {
    IPAQ_CHECK_ARG(!args->has("--weights"), "--weights is only used with --objective weighted");
  }

  // Sorting is timed apart from solving (as the QUIVER and IPAQ papers report); approx needs none.
  double sort_ms = 0.0;
  const bool needs_sort = objective == "worst" || solver != asq::Solver::kApprox;
  if (needs_sort) {
    const auto start = std::chrono::steady_clock::now();
    if (weights.empty()) {
      std::sort(x.begin(), x.end());
    } else {
      std::vector<size_t> order(x.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
      std::vector<double> xs(x.size()), ws(x.size());
      for (size_t i = 0; i < order.size(); ++i) {
        xs[i] = x[order[i]];
        ws[i] = weights[order[i]];
      }
      x.swap(xs);
      weights.swap(ws);
    }
    sort_ms = elapsed_ms(start);
  }
  const auto start = std::chrono::steady_clock::now();
  asq::Solution sol;
  if (objective == "worst") {
    sol = asq::solve_min_max_variance(x, s);
  } else {
    asq::SolveOptions options{solver, static_cast<size_t>(grid)};
    sol = asq::solve(x, weights, s, options);
  }
  const double solve_ms = elapsed_ms(start);

  double energy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) energy += (weights.empty() ? 1.0 : weights[i]) * x[i] * x[i];
  const double vnmse = energy > 0 ? asq::sq_cost(x, weights, sol.levels) / energy : 0.0;
  const double max_var = asq::sq_max_variance(x, sol.levels);
  const char* solver_label = objective == "worst" ? "mdv" : asq::solver_name(solver);
  const char* resolved = solver == asq::Solver::kAuto && objective != "worst"
                             ? asq::solver_name(asq::auto_solver(x.size(), s))
                             : solver_label;

  if (args->flag("--json")) {
    JsonWriter w;
    w.begin_object();
    w.field("d", static_cast<uint64_t>(x.size()));
    w.field("s", static_cast<uint64_t>(s));
    w.field("solver", solver_label);
    w.field("auto_choice", resolved);
    w.field("objective", objective);
    w.field("vnmse", vnmse);
    w.field("max_var", max_var);
    w.field("sort_ms", sort_ms);
    w.field("solve_ms", solve_ms);
    w.field("peak_rss_mb", peak_rss_mb());
    if (args->flag("--levels")) {
      w.key("levels");
      w.begin_array();
      for (double v : sol.levels) w.value(v);
      w.end_array();
    }
    w.end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    std::printf("d=%zu  s=%zu  solver=%s%s%s%s  objective=%s\nvNMSE    %.6e\nmax var  %.6e\n"
                "sort     %.2f ms\nsolve    %.2f ms\npeak RSS %.1f MB\n",
                x.size(), s, solver_label, resolved != solver_label ? " (" : "",
                resolved != solver_label ? resolved : "", resolved != solver_label ? ")" : "",
                objective.c_str(), vnmse, max_var, sort_ms, solve_ms, peak_rss_mb());
    if (args->flag("--levels")) {
      std::printf("levels  ");
      for (double v : sol.levels) std::printf(" %.9g", v);
      std::printf("\n");
    }
  }
  return 0;
}

const Registration kReg{"asq", "solve adaptive stochastic quantization for one vector", &run_asq};

}  // namespace
}  // namespace ipaq::cli
