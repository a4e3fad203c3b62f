// codec_bench: distortion and encode throughput of ipaq codecs vs FAISS IndexPQ / IndexScalarQuantizer.
//
//   codec_bench distortion <bge|fmnist> [n_base] [n_queries]
//       Per codec: bytes/vector, relative MSE  E‖x − x̂‖²/‖x‖², inner-product error over all
//       (query, base) pairs of unit vectors: mean (signed), RMS, and the regression slope
//       Σ est·ip / Σ ip² (1 = no multiplicative bias; TurboQuant_mse shrinks towards 0).
//       "_center" codecs are trained on the FAISS training set. Workload-weighted ASQ ("w") gets sample
//       queries: Fashion-MNIST — 1000 t10k images after the evaluation queries; bge — the paragraphs
//       themselves (in-sample: only 500 exist). The ipaq estimate is ⟨q, decode(x)⟩, which the tests prove equal to estimate_ip().
//       FAISS rows use sa_encode/sa_decode (asymmetric inner product, as IndexPQ/SQ search does),
//       trained on a set disjoint from the base: bge — the 500 paragraphs (= the queries; only 1000
//       vectors exist), Fashion-MNIST — the 10000 training images after the base rows.
//   codec_bench encode [n] [name filters, comma-separated]
//       Single-thread encode throughput on Fashion-MNIST (L2-normalised) per codec, against FAISS
//       IndexPQ train + encode of the same n vectors at comparable bytes.
// Datasets: ../shared/data/bge-m3-1024 (sentences = base, paragraphs = queries), Fashion-MNIST from
// /usr/share/datasets/fashion-mnist (train = base, t10k = queries), both L2-normalised.
// Prints Markdown tables on stdout. Run with OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1.
#include <faiss/IndexPQ.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/utils/utils.h>
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/codecs/codec.h"
#include "lib/io/vector_file.h"

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dataset {
  std::string name;
  size_t d = 0;
  Matrix base, queries;
  Matrix train;  // FAISS training set, disjoint from base (PQ trained on the base itself would overfit)
  Matrix workload;  // sample queries for the workload-weighted ASQ codecs ("w")
};

Matrix normalised(const ipaq::io::FloatMatrix& m) {
  Matrix out(m.n, m.d);
  for (size_t i = 0; i < m.n; ++i) {
    double s = 0;
    for (size_t j = 0; j < m.d; ++j) s += static_cast<double>(m.row(i)[j]) * m.row(i)[j];
    const float inv = s > 0 ? static_cast<float>(1 / std::sqrt(s)) : 0.0f;
    for (size_t j = 0; j < m.d; ++j) out(i, j) = m.row(i)[j] * inv;
  }
  return out;
}

Dataset load(const std::string& which, size_t n_base, size_t n_queries) {
  Dataset ds;
  ipaq::io::ReadOptions base_opts, query_opts;
  base_opts.max_rows = which == "bge" ? n_base : n_base + 10000;
  // Fashion-MNIST: 1000 further t10k images after the evaluation queries are the ASQ "w" workload.
  query_opts.max_rows = which == "bge" ? n_queries : n_queries + 1000;
  std::string base_path, query_path;
  if (which == "bge") {
    ds.name = "bge-m3-1024";
    base_path = std::string(IPAQ_SHARED_DATA_DIR) + "/bge-m3-1024/sentences.fvecs";
    query_path = std::string(IPAQ_SHARED_DATA_DIR) + "/bge-m3-1024/paragraphs.fvecs";
  } else {
    ds.name = "Fashion-MNIST (L2-normalised)";
    base_path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    query_path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  }
  auto base = ipaq::io::read_vectors(base_path, base_opts);
  auto queries = ipaq::io::read_vectors(query_path, query_opts);
  ds.d = base.d;
  const Matrix all = normalised(base);
  ds.queries = normalised(queries);
  if (which == "bge") {  // only 1000 vectors exist: FAISS trains on the queries (paragraphs)
    ds.base = all;
    ds.train = ds.queries;
    ds.workload = ds.queries;  // in-sample: the same paragraphs
  } else {  // train = the 10000 training images after the base rows
    const Eigen::Index nb = std::min<Eigen::Index>(all.rows(), static_cast<Eigen::Index>(n_base));
    ds.base = all.topRows(nb);
    ds.train = all.bottomRows(all.rows() - nb);
    const Eigen::Index nq = std::min<Eigen::Index>(ds.queries.rows(), static_cast<Eigen::Index>(n_queries));
    ds.workload = ds.queries.bottomRows(ds.queries.rows() - nq);  // disjoint from the evaluation queries
    ds.queries = ds.queries.topRows(nq).eval();
  }
  return ds;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Distortion {
  double mse = 0, mean_err = 0, rms_err = 0, slope = 0;
};

Distortion measure(const Dataset& ds, const Matrix& decoded) {
  Distortion r;
  const Matrix diff = decoded - ds.base;
  for (Eigen::Index i = 0; i < ds.base.rows(); ++i) r.mse += diff.row(i).squaredNorm() / ds.base.row(i).squaredNorm();
  r.mse /= ds.base.rows();
  const Matrix truth = ds.queries * ds.base.transpose();
  const Matrix est = ds.queries * decoded.transpose();
  const Matrix err = est - truth;
  const double pairs = static_cast<double>(err.size());
  r.mean_err = err.cast<double>().sum() / pairs;
  r.rms_err = std::sqrt(err.cast<double>().squaredNorm() / pairs);
  r.slope = (est.cast<double>().cwiseProduct(truth.cast<double>())).sum() / truth.cast<double>().squaredNorm();
  return r;
}

void print_row(const std::string& name, double bytes, const Distortion& r, double extra_seconds) {
  std::printf("| %-16s | %7.1f | %8.5f | %+10.2e | %9.2e | %6.4f | %7.2f |\n", name.c_str(), bytes, r.mse, r.mean_err,
              r.rms_err, r.slope, extra_seconds);
}

void run_codec_distortion(const Dataset& ds, const std::string& desc) {
  auto codec = ipaq::make_codec(desc, ds.d);
  const size_t n = ds.base.rows();
  std::vector<uint8_t> codes(n * codec->code_size());
  const auto t0 = std::chrono::steady_clock::now();
  const std::string variant = desc.substr(0, desc.find('_'));
  if (desc.rfind("ASQ", 0) == 0 && variant.find('w') != std::string::npos)
    codec->set_query_workload(ds.workload.rows(), ds.d, ds.workload.data());
  if (!codec->is_trained()) codec->train(ds.train.rows(), ds.train.data());  // "_center": same set as FAISS
  codec->encode(n, ds.base.data(), codes.data());
  const double secs = seconds_since(t0);
  Matrix decoded(n, ds.d);
  codec->decode(n, codes.data(), decoded.data());
  print_row(desc, codec->code_size(), measure(ds, decoded), secs);
}

void run_faiss_distortion(const Dataset& ds, const std::string& name, faiss::Index& index) {
  const size_t n = ds.base.rows();
  const auto t0 = std::chrono::steady_clock::now();
  index.train(ds.train.rows(), ds.train.data());
  std::vector<uint8_t> codes(n * index.sa_code_size());
  index.sa_encode(n, ds.base.data(), codes.data());
  const double secs = seconds_since(t0);
  Matrix decoded(n, ds.d);
  index.sa_decode(n, codes.data(), decoded.data());
  print_row(name, index.sa_code_size(), measure(ds, decoded), secs);
}

const std::vector<std::string> kCodecs = {
    "TQ1",    "TQ2",    "TQ3",    "TQ4",     "TQ8",     "TQP2",     "TQP3",     "TQP4",    "TQP8",
    "EDEN1",  "EDEN1b", "EDEN2",  "EDEN2b",  "EDEN4",   "EDEN4b",   "EDEN8",    "RaBitQ1", "RaBitQ2",
    "RaBitQ4", "RaBitQ4f", "RaBitQ8f", "BSQ1x4", "BSQ1x4b", "BSQ1x8b", "BSQ2x2b", "BSQ2x4", "BSQ2x4b", "BSQ4x2b",
    "TQ2_center", "EDEN2_center", "RaBitQ1_center", "BSQ2x4b_center", "TQP3_center",
    "ASQ2",  "ASQ2n", "ASQ4",   "ASQ4k", "ASQ2_center", "ASQ2v", "ASQ2nv", "ASQ4v", "ASQ2w", "ASQ4w", "ASQ4wk",
    "ASQ2wv", "ASQ2w_center", "TQP2h", "TQP4h"};

int distortion(const std::string& which, size_t n_base, size_t n_queries) {
  const Dataset ds = load(which, n_base, n_queries);
  std::printf("%s: %zu base x %zu queries, d = %zu, FAISS trained on %zu others; FAISS build: %s\n\n",
              ds.name.c_str(), static_cast<size_t>(ds.base.rows()), static_cast<size_t>(ds.queries.rows()), ds.d,
              static_cast<size_t>(ds.train.rows()), faiss::get_compile_options().c_str());
  std::printf("| codec            | bytes/v | rel. MSE | mean IP err | RMS IP err | slope  | train+encode s |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const auto& desc : kCodecs) run_codec_distortion(ds, desc);
  const size_t d = ds.d;
  // FAISS at comparable bytes: PQ with M sub-quantizers of 8 bits (M must divide d) and SQ 4/8 bits.
  std::vector<size_t> pq_m = d == 1024 ? std::vector<size_t>{128, 256, 512} : std::vector<size_t>{98, 196, 392};
  for (size_t m : pq_m) {
    faiss::IndexPQ pq(d, m, 8, faiss::METRIC_INNER_PRODUCT);
    run_faiss_distortion(ds, "FAISS PQ" + std::to_string(m), pq);
  }
  for (auto [qt, name] : {std::pair{faiss::ScalarQuantizer::QT_4bit, "FAISS SQ4"}, std::pair{faiss::ScalarQuantizer::QT_8bit, "FAISS SQ8"}}) {
    faiss::IndexScalarQuantizer sq(d, qt, faiss::METRIC_INNER_PRODUCT);
    run_faiss_distortion(ds, name, sq);
  }
  return 0;
}

int encode_throughput(size_t n, const std::string& filter) {
  // filter: comma-separated substrings; run only the rows whose name contains one of them ("" = all).
  auto wanted = [&](const std::string& name) {
    if (filter.empty()) return true;
    for (size_t start = 0; start <= filter.size();) {
      const size_t end = std::min(filter.find(',', start), filter.size());
      if (end > start && name.find(filter.substr(start, end - start)) != std::string::npos) return true;
      start = end + 1;
    }
    return false;
  };
  omp_set_num_threads(1);
  Dataset ds = load("fmnist", n, 1);
  n = ds.base.rows();
  std::printf("Fashion-MNIST (L2-normalised) %zu vectors, d = %zu, single thread; FAISS build: %s\n\n", n, ds.d,
              faiss::get_compile_options().c_str());
  std::printf("| method | bytes/v | seconds | vectors/s |\n|---|---|---|---|\n");
  // Median of `reps` timed runs after one warm-up run when reps > 1 (page faults, memoised codebooks).
  auto report = [&](const std::string& name, double bytes, int reps, const std::function<void()>& run) {
    if (reps > 1) run();
    std::vector<double> times;
    for (int rep = 0; rep < reps; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      run();
      times.push_back(seconds_since(t0));
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf("| %s | %.0f | %.3f | %.0f |\n", name.c_str(), bytes, median, n / median);
    std::fflush(stdout);
  };
  // One or two representatives per family and bit width (the variants share the encode path).
  const char* encode_codecs[] = {"TQ1",     "TQ2",      "TQ4",     "TQ8",      "TQP2",   "TQP4",
                                 "EDEN1",   "EDEN4",    "RaBitQ1", "RaBitQ4",  "RaBitQ4f", "RaBitQ8f",
                                 "BSQ1x4",  "BSQ2x4",   "BSQ1x8b", "BSQ4x2b", "TQP4h",   "ASQ4",
                                 "ASQ4v",   "ASQ2v",    "RaBitQ2"};
  for (const std::string desc : encode_codecs) {
    if (!wanted(desc + " encode")) continue;
    auto codec = ipaq::make_codec(desc, ds.d);
    // ASQ with shared levels trains on the first 2000 vectors, outside the timed encode.
    if (!codec->is_trained()) codec->train(std::min<size_t>(n, 2000), ds.base.data());
    std::vector<uint8_t> codes(n * codec->code_size());
    report(desc + " encode", codec->code_size(), 3, [&] { codec->encode(n, ds.base.data(), codes.data()); });
  }
  // PQ at the same bits per input dimension as the 1/2/4/8-bit codecs (98/196/392/784 bytes; the
  // codecs' codes are larger because d = 784 is padded to D = 1024).
  for (size_t m : {98, 196, 392, 784}) {
    if (!wanted("FAISS PQ" + std::to_string(m) + "x8 train+encode")) continue;
    std::vector<uint8_t> codes(n * m);
    // One timed run (train dominates; FAISS subsamples 9984 training points per sub-quantizer).
    report("FAISS PQ" + std::to_string(m) + "x8 train+encode", m, 1, [&] {
      faiss::IndexPQ pq(ds.d, m, 8);
      pq.verbose = false;
      pq.train(n, ds.base.data());
      pq.sa_encode(n, ds.base.data(), codes.data());
    });
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "distortion" && argc > 2)
      return distortion(argv[2], argc > 3 ? std::stoul(argv[3]) : 0, argc > 4 ? std::stoul(argv[4]) : 200);
    if (mode == "encode") return encode_throughput(argc > 2 ? std::stoul(argv[2]) : 60000, argc > 3 ? argv[3] : "");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "codec_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: codec_bench distortion <bge|fmnist> [n_base] [n_queries] | encode [n] [name filter]\n");
  return 2;
}
