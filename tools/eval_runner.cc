#include "tools/eval_runner.h"

#include <faiss/IndexRefine.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "index/index_factory.h"
#include "lib/core/error.h"
#include "tools/training_sample.h"

namespace ipaq::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Timed {
  double qps = 0;
  std::vector<int64_t> labels;
};

Timed timed_search(const faiss::Index& index, const io::FloatMatrix& queries, int k, int threads) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  Timed out;
  std::vector<float> distances(queries.n * static_cast<size_t>(k));
  std::vector<faiss::Index::idx_t> labels(queries.n * static_cast<size_t>(k));
  const auto start = Clock::now();
  try {
    index.search(static_cast<faiss::Index::idx_t>(queries.n), queries.data.data(), k, distances.data(),
                 labels.data());
  } catch (...) {
    omp_set_num_threads(saved);
    throw;
  }
  const double elapsed = seconds_since(start);
  omp_set_num_threads(saved);
  out.qps = static_cast<double>(queries.n) / std::max(elapsed, 1e-9);
  out.labels.assign(labels.begin(), labels.end());
  return out;
}

}  // namespace

double recall_at_k(const std::vector<int64_t>& labels, const io::IntMatrix& gt, size_t nq, int k) {
  IPAQ_CHECK_ARG(k > 0 && gt.d >= static_cast<size_t>(k) && gt.n >= nq, "ground truth is ", gt.n, " x ",
                 gt.d, " but recall@", k, " of ", nq, " queries needs at least ", nq, " x ", k);
  IPAQ_CHECK_ARG(labels.size() == nq * static_cast<size_t>(k), "labels hold ", labels.size(),
                 " ids, expected ", nq, " x ", k);
  if (nq == 0) return 0;
  size_t found = 0;
  for (size_t q = 0; q < nq; ++q) {
    const int64_t* truth = gt.data.data() + q * gt.d;
    std::unordered_set<int64_t> true_ids(truth, truth + k);
    const int64_t* got = labels.data() + q * static_cast<size_t>(k);
    std::unordered_set<int64_t> counted;
    for (int j = 0; j < k; ++j) {
      if (got[j] >= 0 && true_ids.count(got[j]) > 0 && counted.insert(got[j]).second) ++found;
    }
  }
  return static_cast<double>(found) / (static_cast<double>(nq) * k);
}

void check_ground_truth(const io::IntMatrix& gt, const std::string& source, size_t nq, size_t k, size_t n) {
  IPAQ_CHECK_ARG(gt.n >= nq && gt.d >= k, "ground truth ", source, " is ", gt.n, " x ", gt.d, " but ", nq,
                 " queries x k = ", k, " are needed");
  for (size_t q = 0; q < nq; ++q) {
    for (size_t j = 0; j < k; ++j) {
      const int64_t id = gt.data[q * gt.d + j];
      IPAQ_CHECK_ARG(id >= 0 && static_cast<uint64_t>(id) < n, "ground truth ", source, ": row ", q, " holds id ",
                     id, " outside [0, ", n, ") (the base vectors)");
    }
  }
}

std::vector<EvalRow> evaluate_descriptor(IndexFamily family, const std::string& descriptor,
                                         const io::FloatMatrix& base, const io::FloatMatrix& queries,
                                         const io::IntMatrix& gt, const EvalSettings& settings,
                                         const std::function<void(const std::string&)>& log) {
  const int k = settings.k;
  IPAQ_CHECK_ARG(k > 0 && static_cast<size_t>(k) <= base.n, "k = ", k, " must be in 1..", base.n,
                 " (the number of base vectors)");
  IPAQ_CHECK_ARG(base.d == queries.d, "base vectors have dimension ", base.d, " but queries have ",
                 queries.d);
  for (float f : settings.reranks) IPAQ_CHECK_ARG(f >= 1, "rerank factor ", f, " must be >= 1");
  for (int p : settings.nprobes) IPAQ_CHECK_ARG(p >= 1, "nprobe ", p, " must be >= 1");
  auto say = [&](const std::string& line) {
    if (log) log(line);
  };
  std::unique_ptr<faiss::Index> index = make_index(family, static_cast<int>(base.d), descriptor,
                                                   settings.metric);
  if (check_query_workload(*index, descriptor, settings.workload, base.d)) {
    give_query_workload(*index, static_cast<faiss::Index::idx_t>(settings.workload.n), settings.workload.data.data());
  }
  const std::vector<float> sample = training_sample(base, settings.train_size, settings.seed);
  const size_t train_rows = sample.empty() ? base.n : settings.train_size;
  check_training_rows(*index, descriptor, static_cast<faiss::Index::idx_t>(train_rows));
  say(descriptor + ": training on " + std::to_string(train_rows) + " vectors");
  auto start = Clock::now();
  index->train(static_cast<faiss::Index::idx_t>(train_rows), sample.empty() ? base.data.data() : sample.data());
  const double train_s = seconds_since(start);
  say(descriptor + ": adding " + std::to_string(base.n) + " vectors");
  start = Clock::now();
  index->add(static_cast<faiss::Index::idx_t>(base.n), base.data.data());
  const double add_s = seconds_since(start);

  std::unique_ptr<faiss::IndexRefineFlat> refine;
  if (!settings.reranks.empty()) {
    refine = std::make_unique<faiss::IndexRefineFlat>(index.get(), base.data.data());
  }
  const int default_nprobe = ivf_nprobe(*index);
  const bool is_ivf = default_nprobe > 0;
  std::vector<int> nprobes = is_ivf ? settings.nprobes : std::vector<int>{};
  if (nprobes.empty()) nprobes.push_back(default_nprobe);
  std::vector<float> reranks{0.0f};
  reranks.insert(reranks.end(), settings.reranks.begin(), settings.reranks.end());

  std::vector<EvalRow> rows;
  for (int nprobe : nprobes) {
    if (is_ivf) set_nprobe(*index, nprobe);
    for (float rerank : reranks) {
      const faiss::Index* searched = index.get();
      if (rerank > 0) {
        refine->k_factor = rerank;
        searched = refine.get();
      }
      EvalRow row;
      row.family = family == IndexFamily::kIpaq ? "ipaq" : "faiss";
      row.descriptor = descriptor;
      row.nprobe = is_ivf ? nprobe : 0;
      row.rerank = rerank;
      row.bytes_per_vector = code_bytes_per_vector(*index);
      row.train_s = train_s;
      row.add_s = add_s;
      say(descriptor + ": searching" + (is_ivf ? " nprobe " + std::to_string(nprobe) : std::string()) +
          (rerank > 0 ? " rerank " + std::to_string(rerank) : std::string()));
      const Timed single = timed_search(*searched, queries, k, 1);
      const Timed all = timed_search(*searched, queries, k, settings.threads);
      row.qps_single = single.qps;
      row.qps_all = all.qps;
      row.recall = recall_at_k(single.labels, gt, queries.n, k);
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace ipaq::cli
