// ASQ solver benchmarks on LogNormal(0, 1): every solver over d ∈ {2^16, 2^20, 2^22, 2^24} and
// s ∈ {4, 16, 64, 256}; sorting is timed separately (BM_Sort), as the QUIVER and IPAQ papers do.
// Solvers run on pre-sorted input (except approx, which needs no sort). Counters: vnmse of the
// returned levels, peak_rss_mb of the process so far. Single thread. ZipML only at d <= 2^12;
// QUIVER only where its argmin tables fit (exact_solvers.h). Run a subset with --benchmark_filter,
// e.g. 'BM_Solve/auto/.*' — the full grid takes hours on 2 cores (see bench/RESULTS.md).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <memory>

#include "lib/asq/asq_solver.h"
#include "lib/asq/distributions.h"
#include "lib/asq/exact_solvers.h"

namespace {

using ipaq::asq::Solver;

// Cached input per d: the unsorted sample and its sorted copy.
struct Input {
  std::vector<double> raw, sorted;
  double energy = 0.0;
};

const Input& input(size_t d) {
  static std::map<size_t, std::unique_ptr<Input>> cache;
  auto& slot = cache[d];
  if (!slot) {
    cache.clear();  // keep one d at a time (2^24 doubles are 128 MiB each)
    auto in = std::make_unique<Input>();
    in->raw = ipaq::asq::sample_distribution("lognormal", d, 42);
    in->sorted = in->raw;
    std::sort(in->sorted.begin(), in->sorted.end());
    for (double v : in->raw) in->energy += v * v;
    return *(cache[d] = std::move(in));
  }
  return *slot;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_Sort(benchmark::State& state) {
  const Input& in = input(static_cast<size_t>(state.range(0)));
  std::vector<double> work;
  for (auto _ : state) {
    state.PauseTiming();
    work = in.raw;
    state.ResumeTiming();
    std::sort(work.begin(), work.end());
    benchmark::DoNotOptimize(work.data());
  }
}

void BM_Solve(benchmark::State& state, Solver solver) {
  const size_t d = static_cast<size_t>(state.range(0)), s = static_cast<size_t>(state.range(1));
  const Input& in = input(d);
  ipaq::asq::Solution sol;
  for (auto _ : state) {
    if (solver == Solver::kApprox) {
      sol = ipaq::asq::solve_approx(in.raw, {}, s);
    } else {
      sol = ipaq::asq::solve(in.sorted, {}, s, {solver});
    }
    benchmark::DoNotOptimize(sol.levels.data());
  }
  state.counters["vnmse"] = ipaq::asq::sq_cost(in.sorted, {}, sol.levels) / in.energy;
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void grid(benchmark::internal::Benchmark* b, Solver solver) {
  for (int log_d : {16, 20, 22, 24}) {
    for (int s : {4, 16, 64, 256}) {
      const size_t d = size_t{1} << log_d;
      if (solver == Solver::kQuiver &&
          ipaq::asq::quiver_table_bytes(d, s - 1) > ipaq::asq::kMaxQuiverTableBytes) {
        continue;
      }
      if (solver == Solver::kQuiverAccel &&
          ipaq::asq::quiver_table_bytes(d, s / 2) > ipaq::asq::kMaxQuiverTableBytes) {
        continue;
      }
      b->Args({static_cast<int64_t>(d), s});
    }
  }
  b->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->ReportAggregatesOnly(true);
}

const bool kRegistered = [] {
  auto* sort = benchmark::RegisterBenchmark("BM_Sort", BM_Sort);
  for (int log_d : {16, 20, 22, 24}) sort->Arg(int64_t{1} << log_d);
  sort->Unit(benchmark::kMillisecond)->Repetitions(3)->ReportAggregatesOnly(true);
  for (Solver solver : {Solver::kQuiver, Solver::kQuiverAccel, Solver::kWilber, Solver::kApprox,
                        Solver::kAuto}) {
    auto* b = benchmark::RegisterBenchmark((std::string("BM_Solve/") + ipaq::asq::solver_name(solver)).c_str(),
                                           BM_Solve, solver);
    grid(b, solver);
  }
  auto* zipml = benchmark::RegisterBenchmark("BM_Solve/zipml", BM_Solve, Solver::kZipml);
  for (int s : {4, 16}) zipml->Args({4096, s});
  zipml->Unit(benchmark::kMillisecond)->Iterations(1);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
