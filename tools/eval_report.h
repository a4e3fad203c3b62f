// Reporting of `ipaq eval` results: the console table, JSON, CSV and the recall–QPS plot.
//
// EvalReport bundles the rows with the context a reader needs to trust them (data shapes, metric, k,
// ground-truth source, thread count, FAISS build string). format_table returns text; write_* create or
// replace the file and throw ipaq::IoError naming it on failure. plot_recall_qps runs gnuplot (Debian
// package gnuplot-nox) as a subprocess: one line per descriptor through its nprobe/rerank points, x =
// recall@k, y = single-thread QPS (log scale); throws IoError if gnuplot is not installed or fails.
// Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tools/eval_runner.h"

namespace ipaq::cli {

struct EvalReport {
  std::string base_path, queries_path;
  size_t n = 0, nq = 0, d = 0;
  std::string metric;
  bool normalized = false;
  int k = 10;
  int threads = 1;
  size_t train_size = 0;
  std::string ground_truth_source;
  std::string faiss_build;
  std::vector<EvalRow> rows;
};

std::string format_table(const EvalReport& report);
void write_json(const std::string& path, const EvalReport& report);
void write_csv(const std::string& path, const EvalReport& report);
void plot_recall_qps(const std::string& png_path, const EvalReport& report);

}  // namespace ipaq::cli
