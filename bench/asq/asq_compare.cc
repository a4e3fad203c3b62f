// Side-by-side ASQ solver timing in one process, for ratios that share the machine state:
//   asq_compare D S REPS SOLVER[,SOLVER...]
// SOLVER: zipml | quiver | quiver-accel | wilber | approx | auto | sort (std::sort of the input).
// Input: LogNormal(0, 1), seed 42 (lib/asq/distributions.h), sorted once outside the timings (approx
// and sort run on the unsorted copy). Solvers run round-robin REPS times; each line prints the median
// and every per-thread CPU time (CLOCK_THREAD_CPUTIME_ID, robust to other jobs on a shared machine),
// the vNMSE of the returned levels, the solver auto picked, and the process's peak RSS so far. With
// sort in the list, each other solver's line ends with sort's median over its own (the speed-up).
// Prints the table bytes QUIVER would need first, and refuses nothing itself: solve() does.
#include <sys/resource.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench/asq/bench_util.h"
#include "lib/asq/asq_solver.h"
#include "lib/asq/distributions.h"
#include "lib/asq/exact_solvers.h"

namespace {

using ipaq::asq::bench::thread_cpu_ms;

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

int run(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: asq_compare D S REPS SOLVER[,SOLVER...]\n");
    return 2;
  }
  const size_t d = std::stoull(argv[1]), s = std::stoull(argv[2]);
  const int reps = std::stoi(argv[3]);
  std::vector<std::string> names;
  std::stringstream list(argv[4]);
  for (std::string name; std::getline(list, name, ',');) names.push_back(name);

  const std::vector<double> raw = ipaq::asq::sample_distribution("lognormal", d, 42);
  std::vector<double> sorted = raw;
  std::sort(sorted.begin(), sorted.end());
  double energy = 0.0;
  for (double v : raw) energy += v * v;
  std::printf("d=%zu s=%zu: quiver tables %.1f MiB, quiver-accel tables %.1f MiB (limit %zu MiB); auto -> %s\n",
              d, s, ipaq::asq::quiver_table_bytes(d, s - 1) / 1048576.0,
              ipaq::asq::quiver_table_bytes(d, s / 2) / 1048576.0, ipaq::asq::kMaxQuiverTableBytes >> 20,
              ipaq::asq::solver_name(ipaq::asq::auto_solver(d, s)));

  std::vector<std::vector<double>> times(names.size());
  std::vector<double> vnmse(names.size(), 0.0);
  for (int rep = 0; rep < reps; ++rep) {
    for (size_t k = 0; k < names.size(); ++k) {
      ipaq::asq::Solution sol;
      double start = 0.0;
      if (names[k] == "sort") {
        std::vector<double> work = raw;
        start = thread_cpu_ms();
        std::sort(work.begin(), work.end());
      } else {
        const ipaq::asq::Solver solver = ipaq::asq::parse_solver(names[k]);
        start = thread_cpu_ms();
        sol = solver == ipaq::asq::Solver::kApprox ? ipaq::asq::solve_approx(raw, {}, s)
                                                   : ipaq::asq::solve(sorted, {}, s, {solver});
      }
      times[k].push_back(thread_cpu_ms() - start);
      if (!sol.levels.empty()) vnmse[k] = ipaq::asq::sq_cost(sorted, {}, sol.levels) / energy;
    }
  }
  auto median = [](std::vector<double> t) {
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  };
  const auto sort_it = std::find(names.begin(), names.end(), "sort");
  const double sort_median = sort_it == names.end() ? 0.0 : median(times[sort_it - names.begin()]);
  for (size_t k = 0; k < names.size(); ++k) {
    const double m = median(times[k]);
    std::printf("%-13s median %10.3f ms CPU  vnmse %.12g  runs", names[k].c_str(), m, vnmse[k]);
    for (double v : times[k]) std::printf(" %.3f", v);
    if (sort_median > 0.0 && names[k] != "sort") std::printf("  sort/this %.2fx", sort_median / m);
    std::printf("\n");
  }
  std::printf("peak_rss_mb %.1f\n", peak_rss_mb());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return ipaq::asq::bench::guarded_main("asq_compare", [&] { return run(argc, argv); });
}
