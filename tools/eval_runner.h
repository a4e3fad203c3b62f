// The measurement loop of `ipaq eval`: build one index per descriptor, then time its searches for every
// nprobe / rerank setting and score recall@k against the exact ground truth.
//
// Per descriptor: the index is trained on `train_size` rows sampled without replacement (seeded; 0 or
// >= n = all rows) and then all base rows are added; train and add are timed once and reported on each
// of its rows. Rows: for every nprobe (IVF indexes only; others get one row with nprobe 0) × every rerank
// factor (0 = none; F >= 1 wraps the trained index in faiss::IndexRefineFlat with k_factor F, exact
// vectors in memory — the same rerank for ipaq and FAISS rows). Each row searches all queries in one
// batch call twice: with 1 OpenMP thread (QPS single) and with `threads` threads (QPS all).
// Shapes: base n x d, queries nq x d, gt nq x (>= k) ids, best first.
// Errors: InvalidArgument for k out of 1..n, a ground truth with fewer than k columns or nq rows, an
// unknown descriptor, rerank factor < 1; errors of the indexes propagate. Not thread-safe.
#pragma once

#include <faiss/MetricType.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lib/io/vector_file.h"
#include "tools/index_maker.h"

namespace ipaq::cli {

struct EvalSettings {
  int k = 10;
  faiss::MetricType metric = faiss::METRIC_L2;
  size_t train_size = 0;      // 0 = train on all base rows
  int threads = 1;            // threads of the "all threads" measurement
  uint64_t seed = 1234;       // training sample
  std::vector<int> nprobes;   // empty = {index default}
  std::vector<float> reranks; // rerank factors besides "none"
  // Sample queries for workload-weighted codecs (ASQ{b}w), given to them before training; empty = none
  // (such a codec then is an InvalidArgument naming --workload).
  io::FloatMatrix workload;
};

struct EvalRow {
  std::string family;      // "ipaq" or "faiss"
  std::string descriptor;
  int nprobe = 0;          // 0 = not an IVF row
  float rerank = 0;        // 0 = no rerank
  double bytes_per_vector = 0;
  double train_s = 0, add_s = 0;
  double qps_single = 0, qps_all = 0;
  double recall = 0;       // recall@k in [0, 1]
};

// Mean over queries of |returned top k ∩ true top k| / k. labels: nq x k; gt: nq x gt_cols (>= k).
double recall_at_k(const std::vector<int64_t>& labels, const io::IntMatrix& gt, size_t nq, int k);

// Ground truth read from `source` for nq queries, k neighbours, n base vectors: at least nq x k, and every
// id of the first nq rows' first k columns in [0, n) (ids outside would make recall silently 0);
// InvalidArgument naming the file, row and id otherwise.
void check_ground_truth(const io::IntMatrix& gt, const std::string& source, size_t nq, size_t k, size_t n);

// Runs every row of one descriptor. `log` receives progress lines (may be empty).
std::vector<EvalRow> evaluate_descriptor(IndexFamily family, const std::string& descriptor,
                                         const io::FloatMatrix& base, const io::FloatMatrix& queries,
                                         const io::IntMatrix& gt, const EvalSettings& settings,
                                         const std::function<void(const std::string&)>& log);

}  // namespace ipaq::cli
