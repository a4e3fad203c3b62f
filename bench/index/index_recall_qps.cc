// index_recall_qps: recall@10 and single-thread QPS of ipaq indexes vs FAISS baselines, same process,
// same data. Prints one markdown table row per (index, search parameter) on stdout.
//
// Usage: index_recall_qps <dataset> <part> [nq] [spec...]
//   dataset: fmnist-l2 | fmnist-ip (L2-normalised, inner product) | bge (bge-m3-1024, inner product)
//   part:    budget   — recall@10 without rerank at 1, 2 and 4 bits per dimension: FAISS IndexPQ vs ipaq
//                       codecs (flat and IVF; Fashion-MNIST with "_haar" = 784 dims and Hadamard = 1024)
//            frontier — recall@10 / QPS with rerank: ipaq IVF{64,128,256},RaBitQ1,Rerank vs FAISS
//                       IVF{64,128,256},PQ196x4fs,RFlat and PQ196x4fs,RFlat over nprobe x factor
//                       (bge: flat RaBitQ1/TQ2/EDEN2 and IVF16,RaBitQ1 vs flat and IVF16 PQ256x4fs, both
//                       metrics), then the interpolated QPS ratios
//            points   — the indexes given after nq, each "DESC[|nprobes[|factors]]" (comma-separated lists),
//                       e.g. "IVF256,RaBitQ1,Rerank|4,8,16|2,4" or "IVF256,PQ196x4fs,RFlat|8,16|2,4" (a
//                       leading "L2:" builds with METRIC_L2 on inner-product data).
// Every part builds all its indexes first, then times every configuration (one row per nprobe x factor)
// in interleaved rounds (7 for frontier, 5 for points, QPS = nq / median time; 1 for budget), so a change of
// machine load hits ipaq and FAISS rows alike. frontier/points end with the recall-QPS frontier of the ipaq
// rows vs the FAISS rows: QPS interpolated at recall 0.90 / 0.95 / 0.99 and the ratio.
// Training uses the first min(n, 10000) base vectors for every index (same for FAISS and ipaq).
// Search runs with one OpenMP thread, all queries in one search() call; QPS = nq / median wall time of
// 3 runs (the machine is shared; every configuration is run back to back in the same process).
// Run with OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1.
#include <faiss/IndexFastScan.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexRefine.h>
#include <faiss/utils/utils.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "index/index_factory.h"
#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/rerank.h"
#include "index/search_params.h"
#include "lib/core/simd_level.h"
#include "lib/io/vector_file.h"

namespace {

using idx_t = faiss::Index::idx_t;
constexpr size_t kK = 10;
constexpr size_t kMaxTrain = 10000;  // = 256 centroids x 39 points: all k-means sees anyway

struct Dataset {
  std::string name;
  ipaq::io::FloatMatrix base, queries;
  faiss::MetricType metric;
  std::vector<idx_t> truth;
};

void normalise(ipaq::io::FloatMatrix& m) {
  for (size_t i = 0; i < m.n; ++i) {
    double s = 0;
    for (size_t j = 0; j < m.d; ++j) s += double(m.data[i * m.d + j]) * m.data[i * m.d + j];
    const float inv = s > 0 ? float(1.0 / std::sqrt(s)) : 0.0f;
    for (size_t j = 0; j < m.d; ++j) m.data[i * m.d + j] *= inv;
  }
}

Dataset load(const std::string& which, size_t nq) {
  Dataset ds;
  ds.name = which;
  ipaq::io::ReadOptions qopt;
  qopt.max_rows = nq;
  if (which == "bge") {
    const std::string dir = std::string(IPAQ_SHARED_DATA_DIR) + "/bge-m3-1024/";
    ds.base = ipaq::io::read_vectors(dir + "paragraphs.fvecs");
    ds.queries = ipaq::io::read_vectors(dir + "sentences.fvecs", qopt);
    ds.metric = faiss::METRIC_INNER_PRODUCT;
  } else {
    const std::string dir = "/usr/share/datasets/fashion-mnist/";
    ds.base = ipaq::io::read_vectors(dir + "train-images-idx3-ubyte.gz");
    ds.queries = ipaq::io::read_vectors(dir + "t10k-images-idx3-ubyte.gz", qopt);
    ds.metric = which == "fmnist-ip" ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
    if (ds.metric == faiss::METRIC_INNER_PRODUCT) {
      normalise(ds.base);
      normalise(ds.queries);
    }
  }
  // Exact ground truth with FAISS's flat index (BLAS).
  std::unique_ptr<faiss::Index> flat;
  if (ds.metric == faiss::METRIC_L2) flat = std::make_unique<faiss::IndexFlatL2>(ds.base.d);
  else flat = std::make_unique<faiss::IndexFlatIP>(ds.base.d);
  flat->add(ds.base.n, ds.base.data.data());
  std::vector<float> D(ds.queries.n * kK);
  ds.truth.resize(ds.queries.n * kK);
  flat->search(ds.queries.n, ds.queries.data.data(), kK, D.data(), ds.truth.data());
  return ds;
}

double recall_at_10(const Dataset& ds, const std::vector<idx_t>& I) {
  size_t hits = 0;
  for (size_t q = 0; q < ds.queries.n; ++q) {
    for (size_t r = 0; r < kK; ++r) {
      for (size_t s = 0; s < kK; ++s) hits += I[q * kK + s] == ds.truth[q * kK + r];
    }
  }
  return double(hits) / double(ds.queries.n * kK);
}

std::unique_ptr<faiss::Index> build(const Dataset& ds, const std::string& desc, faiss::MetricType metric,
                                    double* build_s) {
  auto t0 = std::chrono::steady_clock::now();
  omp_set_num_threads(2);
  auto index = ipaq::index_factory(static_cast<int>(ds.base.d), desc, metric);
  // faiss::index_factory turns on polysemous training for "PQ{M}x8": a centroid permutation for
  // Hamming filtering that costs minutes and leaves ADC search results unchanged in quality.
  if (auto* pq = dynamic_cast<faiss::IndexPQ*>(index.get())) pq->do_polysemous_training = false;
  index->train(std::min(ds.base.n, kMaxTrain), ds.base.data.data());
  index->add(ds.base.n, ds.base.data.data());
  *build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return index;
}

// Bytes per vector the search reads besides ids: codes (ipaq codes include their per-vector factors; IVF
// sa codes include the list number), + 4 for ipaq IVF under L2 (the per-entry ||r||^2 + 2<c, r̂> term),
// "+ raw" when exact vectors are kept for a rerank / refine stage.
std::string memory_bytes(const faiss::Index& index) {
  const faiss::Index* inner = &index;
  bool raw = false;
  if (auto* r = dynamic_cast<const ipaq::IndexRerank*>(&index)) {
    inner = &r->base();
    raw = true;
  } else if (auto* f = dynamic_cast<const faiss::IndexRefine*>(&index)) {
    inner = f->base_index;
    raw = true;
  }
  std::string bytes = "-";  // FAISS 1.7.3 fast-scan indexes have no sa_code_size
  try {
    size_t b = inner->sa_code_size();
    if (dynamic_cast<const ipaq::IndexCodecIVF*>(inner) && inner->metric_type == faiss::METRIC_L2) b += 4;
    bytes = std::to_string(b);
  } catch (const std::exception&) {
    if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(inner)) bytes = std::to_string(ivf->code_size);
    else if (auto* fs = dynamic_cast<const faiss::IndexFastScan*>(inner)) bytes = std::to_string(fs->code_size);
  }
  return raw ? bytes + " + raw" : bytes;
}

struct Point {
  bool ipaq;
  std::string label, param;
  double recall, qps;
};
std::vector<Point> g_points;  // every measured row, for the frontier summary

// Runs one table entry; a failure is reported as a row instead of ending the run.
template <typename F>
void row(const Dataset& ds, const std::string& label, F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    std::printf("| %s | %s | - | - | error: %s | | |\n", ds.name.c_str(), label.c_str(), e.what());
    std::fflush(stdout);
  }
}

std::vector<double> parse_list(const std::string& text) {
  std::vector<double> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(std::stod(text.substr(at, end - at)));
    at = end + 1;
  }
  return out;
}

// One configuration to time: an index (shared by its configurations), its row label and setting, and
// how to search it. FAISS IndexRefine gets k_factor / nprobe set on the index before each run (FAISS
// 1.7.3's IndexRefine rejects search parameters); ipaq indexes get per-call parameters.
struct Config {
  std::shared_ptr<faiss::Index> index;
  std::string label, param;
  double build_s = 0;
  float k_factor = 0;   // FAISS IndexRefine: set before each run (0 = leave)
  size_t nprobe = 0;    // FAISS IndexRefine over an IVF: set before each run (0 = leave)
  std::shared_ptr<faiss::SearchParametersIVF> ivf_params;
  std::shared_ptr<ipaq::SearchParametersRerank> rerank_params;
  const faiss::SearchParameters* params = nullptr;
};

// Builds the index of one spec "[L2:]DESC[|nprobes[|factors]]" and lists its configurations.
std::vector<Config> build_spec(const Dataset& ds, const std::string& spec_text) {
  // "L2:" forces METRIC_L2 on inner-product data (FAISS PQ on unit vectors, DESIGN.md §6).
  const bool force_l2 = spec_text.rfind("L2:", 0) == 0;
  const std::string spec = force_l2 ? spec_text.substr(3) : spec_text;
  const faiss::MetricType metric = force_l2 ? faiss::METRIC_L2 : ds.metric;
  const size_t bar = spec.find('|');
  const std::string desc = spec.substr(0, bar);
  std::string rest = bar == std::string::npos ? "" : spec.substr(bar + 1);
  const size_t bar2 = rest.find('|');
  std::vector<double> nprobes = parse_list(rest.substr(0, bar2));
  std::vector<double> factors = bar2 == std::string::npos ? std::vector<double>{} : parse_list(rest.substr(bar2 + 1));
  if (nprobes.empty()) nprobes = {0};
  if (factors.empty()) factors = {0};
  std::vector<Config> configs;
  row(ds, desc, [&] {
    double bs;
    std::shared_ptr<faiss::Index> index = build(ds, desc, metric, &bs);
    auto* refine = dynamic_cast<faiss::IndexRefine*>(index.get());
    faiss::Index* inner = refine ? refine->base_index : index.get();
    if (auto* rr = dynamic_cast<ipaq::IndexRerank*>(index.get())) inner = &rr->base();
    auto* ivf = dynamic_cast<faiss::IndexIVF*>(inner);
    const bool is_ipaq = dynamic_cast<ipaq::IndexCodecIVF*>(inner) || dynamic_cast<ipaq::IndexCodecFlat*>(inner);
    const std::string label = std::string(is_ipaq ? "ipaq " : "FAISS ") + desc + (force_l2 ? " (L2 metric)" : "");
    for (double np : nprobes) {
      for (double f : factors) {
        Config c;
        c.index = index;
        c.label = label;
        c.build_s = bs;
        if (ivf && np > 0) {
          c.param += "nprobe " + std::to_string(int(np));
          if (refine) {
            c.nprobe = size_t(np);
          } else {
            c.ivf_params = std::make_shared<faiss::SearchParametersIVF>();
            c.ivf_params->nprobe = size_t(np);
            c.params = c.ivf_params.get();
          }
        }
        if (f > 0) {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "%sfactor %g", c.param.empty() ? "" : ", ", f);
          c.param += buf;
          if (refine) {
            c.k_factor = float(f);
          } else {
            c.rerank_params = std::make_shared<ipaq::SearchParametersRerank>();
            c.rerank_params->rerank_factor = float(f);
            c.rerank_params->base_params = c.params;
            c.params = c.rerank_params.get();
          }
        }
        if (c.param.empty()) c.param.push_back('-');  // (not = "-": GCC 12 -Wrestrict false positive)
        configs.push_back(std::move(c));
      }
    }
  });
  return configs;
}

// Builds every spec first, then times all configurations in interleaved rounds (round r runs every
// configuration once), so a change of machine load hits ipaq and FAISS rows alike; QPS = nq / median.
void run_points(const Dataset& ds, const std::vector<std::string>& specs, int rounds) {
  std::vector<Config> configs;
  for (const auto& spec : specs) {
    auto c = build_spec(ds, spec);
    configs.insert(configs.end(), c.begin(), c.end());
  }
  omp_set_num_threads(1);
  std::vector<std::vector<double>> times(configs.size());
  std::vector<double> recall(configs.size());
  std::vector<float> D(ds.queries.n * kK);
  std::vector<idx_t> I(ds.queries.n * kK);
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < configs.size(); ++i) {
      Config& c = configs[i];
      if (auto* refine = dynamic_cast<faiss::IndexRefine*>(c.index.get())) {
        if (c.k_factor > 0) refine->k_factor = c.k_factor;
        if (c.nprobe > 0) dynamic_cast<faiss::IndexIVF*>(refine->base_index)->nprobe = c.nprobe;
      }
      auto t0 = std::chrono::steady_clock::now();
      c.index->search(ds.queries.n, ds.queries.data.data(), kK, D.data(), I.data(), c.params);
      times[i].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (r == 0) recall[i] = recall_at_10(ds, I);
    }
  }
  for (size_t i = 0; i < configs.size(); ++i) {
    const Config& c = configs[i];
    std::sort(times[i].begin(), times[i].end());
    const double qps = double(ds.queries.n) / times[i][times[i].size() / 2];
    std::printf("| %s | %s | %s | %s | %.4f | %.0f | %.1f |\n", ds.name.c_str(), c.label.c_str(),
                memory_bytes(*c.index).c_str(), c.param.c_str(), recall[i], qps, c.build_s);
    g_points.push_back({c.label.rfind("ipaq", 0) == 0, c.label, c.param, recall[i], qps});
  }
  std::fflush(stdout);
}

// QPS of a frontier at `recall`: the Pareto points (no other point has both higher recall and higher
// QPS), sorted by recall, linearly interpolated between the two that bracket the target; the fastest
// point's QPS below the lowest Pareto recall. Negative when no point reaches it. The same rule is applied
// to both frontiers.
double frontier_qps(std::vector<Point> pts, double recall) {
  std::sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) {
    return a.recall != b.recall ? a.recall > b.recall : a.qps > b.qps;
  });
  std::vector<Point> pareto;  // by decreasing recall, increasing QPS
  for (const auto& p : pts) {
    if (pareto.empty() || p.qps > pareto.back().qps) pareto.push_back(p);
  }
  std::reverse(pareto.begin(), pareto.end());  // increasing recall, decreasing QPS
  for (size_t i = 0; i < pareto.size(); ++i) {
    if (pareto[i].recall < recall) continue;
    if (i == 0) return pareto[0].qps;
    const double r0 = pareto[i - 1].recall, r1 = pareto[i].recall;
    const double t = (recall - r0) / (r1 - r0);
    return pareto[i - 1].qps + t * (pareto[i].qps - pareto[i - 1].qps);
  }
  return -1;
}

void print_frontier_summary() {
  std::vector<Point> ipaq_pts, faiss_pts;
  for (const auto& p : g_points) (p.ipaq ? ipaq_pts : faiss_pts).push_back(p);
  std::printf("\n| recall@10 | ipaq QPS (interpolated) | FAISS QPS (interpolated) | ipaq / FAISS |\n|---|---|---|---|\n");
  double highest_faiss = 0, highest_ipaq = 0;
  for (const auto& p : faiss_pts) highest_faiss = std::max(highest_faiss, p.recall);
  for (const auto& p : ipaq_pts) highest_ipaq = std::max(highest_ipaq, p.recall);
  std::vector<double> targets = {0.90, 0.95, 0.99};
  const double top = std::min(highest_faiss, highest_ipaq);
  if (top >= 0.9 && top < 0.99 && std::find(targets.begin(), targets.end(), top) == targets.end()) targets.push_back(top);
  for (double r : targets) {
    const double a = frontier_qps(ipaq_pts, r), b = frontier_qps(faiss_pts, r);
    std::printf("| %.4f | %s | %s | %s |\n", r, a < 0 ? "not reached" : std::to_string(int(a)).c_str(),
                b < 0 ? "not reached" : std::to_string(int(b)).c_str(),
                a < 0 || b < 0 ? "-" : (std::to_string(a / b).substr(0, 5) + "x").c_str());
  }
  std::printf("(highest recall reached: ipaq %.4f, FAISS %.4f)\n", highest_ipaq, highest_faiss);
}

// The spec lists of the "budget" and "frontier" parts (see the header), per dataset.
std::vector<std::string> budget_specs(const Dataset& ds) {
  const bool fm = ds.base.d == 784;
  const bool ip = ds.metric == faiss::METRIC_INNER_PRODUCT;
  // Fashion-MNIST: "_haar" keeps 784 dimensions (Hadamard pads to 1024: 30 % more bytes); bge-m3 is 1024-d.
  const std::string rot = fm ? "_haar" : "";
  const std::string ivf = fm ? "IVF256," : "IVF16,";
  const std::string np = fm ? "|32" : "|16";  // bge: all 16 lists (500 vectors), the codes decide
  std::vector<std::string> specs;
  const std::vector<std::pair<std::string, std::vector<std::string>>> budgets = {
      {fm ? "PQ98x8" : "PQ128x8", {"RaBitQ1", "EDEN1"}},
      {fm ? "PQ196x8" : "PQ256x8", {"RaBitQ2", "EDEN2", "TQ2"}},
      {fm ? "PQ392x8" : "PQ512x8", {"RaBitQ4", "EDEN4", "TQ4"}},
  };
  for (const auto& [pq, codecs] : budgets) {
    specs.push_back(pq);
    if (ip) specs.push_back("L2:" + pq);  // FAISS PQ with L2 on the unit vectors (DESIGN.md §6)
    for (const auto& c : codecs) specs.push_back(c + rot);
    if (fm) specs.push_back(codecs[0]);  // Hadamard, padded
    specs.push_back(ivf + codecs[0] + rot + np);
    if (ip) specs.push_back("L2:" + ivf + codecs[0] + rot + np);
  }
  return specs;
}

std::vector<std::string> frontier_specs(const Dataset& ds) {
  if (ds.base.d == 784) {
    const std::string m = ds.metric == faiss::METRIC_INNER_PRODUCT ? "L2:" : "";  // unit vectors: L2 is as good
    std::vector<std::string> specs;
    for (const std::string nlist : {"64", "128", "256"}) {
      specs.push_back(m + "IVF" + nlist + ",RaBitQ1,Rerank|2,3,4,5,6,8,12|1.2,1.5,2,3,4");
      specs.push_back(m + "IVF" + nlist + ",PQ196x4fs,RFlat|2,3,4,5,6,8,12,16|1.5,2,3,4,6,8");
    }
    specs.push_back(m + "PQ196x4fs,RFlat|0|2,4,8");
    specs.push_back(m + "RaBitQ1,Rerank|0|2,4,8");
    return specs;
  }
  // Flat factors in steps of 0.25 around recall 0.9-0.97 on both sides (the frontier is interpolated
  // between measured points).
  return {"RaBitQ1,Rerank|0|1,1.5,2,2.25,2.5,2.75,3,4", "TQ2,Rerank|0|1,1.2,1.35,1.5,2",
          "EDEN2,Rerank|0|1.2,1.35,1.5", "IVF16,RaBitQ1,Rerank|2,4,8|1.5,2,4",
          "PQ256x4fs,RFlat|0|1,1.5,2,2.25,2.5,2.75,3,4,8", "L2:PQ256x4fs,RFlat|0|1,1.5,1.75,2,2.25,2.5,2.75,3,4,8",
          "IVF16,PQ256x4fs,RFlat|2,4,8|1.5,2,4,8", "L2:IVF16,PQ256x4fs,RFlat|2,4,8|1.5,2,4,8"};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s fmnist-l2|fmnist-ip|bge budget|frontier [nq]\n", argv[0]);
    return 2;
  }
  const size_t nq = argc > 3 ? std::stoul(argv[3]) : 1000;
  try {
    const Dataset ds = load(argv[1], nq);
    std::printf("FAISS build: %s; ipaq SIMD level: %s; base %zu x %zu, %zu queries\n\n",
                faiss::get_compile_options().c_str(), ipaq::simd_level_name(ipaq::simd_level()), ds.base.n, ds.base.d,
                ds.queries.n);
    std::printf("| dataset | index | bytes/vector | setting | recall@10 | QPS (1 thread) | build s |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    const std::string part = argv[2];
    if (part == "budget") {
      run_points(ds, budget_specs(ds), 1);  // recall is deterministic; QPS of one run only
    } else if (part == "frontier") {
      run_points(ds, frontier_specs(ds), 7);
      print_frontier_summary();
    } else if (part == "points") {
      // IPAQ_BENCH_ROUNDS overrides the 5 rounds (e.g. many rounds of one configuration under perf record).
      const char* rounds_env = std::getenv("IPAQ_BENCH_ROUNDS");
      run_points(ds, std::vector<std::string>(argv + 4, argv + argc), rounds_env ? std::max(1, std::atoi(rounds_env)) : 5);
      print_frontier_summary();
    } else {
      throw std::invalid_argument("unknown part '" + part + "' (budget | frontier | points)");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "index_recall_qps: %s\n", e.what());
    return 1;
  }
  return 0;
}
