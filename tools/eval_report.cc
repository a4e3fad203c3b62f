#include "tools/eval_report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "lib/core/error.h"
#include "tools/json_writer.h"
#include "tools/text_file.h"

namespace ipaq::cli {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string row_label(const EvalRow& row) {
  std::string label = row.family + " " + row.descriptor;
  if (row.nprobe > 0) label += " np" + std::to_string(row.nprobe);
  if (row.rerank > 0) label += " rr" + fixed(row.rerank, row.rerank == static_cast<int>(row.rerank) ? 0 : 1);
  return label;
}

// Shell single-quoting for the gnuplot command line.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// gnuplot string literal in single quotes ('' escapes a quote).
std::string gnuplot_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

std::string format_table(const EvalReport& r) {
  std::ostringstream os;
  os << "data: " << r.base_path << " (" << r.n << " x " << r.d << "), queries " << r.queries_path << " ("
     << r.nq << "), metric " << r.metric << (r.normalized ? " (L2-normalised)" : "") << ", k = " << r.k
     << "\nground truth: " << r.ground_truth_source << "\nFAISS build: " << r.faiss_build
     << "\nthreads (all): " << r.threads << ", train rows: "
     << (r.train_size == 0 || r.train_size >= r.n ? std::to_string(r.n) : std::to_string(r.train_size))
     << "\n\n";
  char line[256];
  std::snprintf(line, sizeof(line), "%-36s %9s %9s %9s %11s %11s %10s\n", "index", "bytes/vec", "train s",
                "add s", "QPS 1thr", "QPS all", "recall@k");
  os << line;
  for (const EvalRow& row : r.rows) {
    std::snprintf(line, sizeof(line), "%-36s %9.1f %9.2f %9.2f %11.1f %11.1f %10.4f\n", row_label(row).c_str(),
                  row.bytes_per_vector, row.train_s, row.add_s, row.qps_single, row.qps_all, row.recall);
    os << line;
  }
  return os.str();
}

void write_json(const std::string& path, const EvalReport& r) {
  JsonWriter w;
  w.begin_object();
  w.field("base", r.base_path);
  w.field("queries", r.queries_path);
  w.field("n", static_cast<uint64_t>(r.n));
  w.field("nq", static_cast<uint64_t>(r.nq));
  w.field("d", static_cast<uint64_t>(r.d));
  w.field("metric", r.metric);
  w.field("normalized", r.normalized);
  w.field("k", r.k);
  w.field("threads", r.threads);
  w.field("train_size", static_cast<uint64_t>(r.train_size));
  w.field("ground_truth", r.ground_truth_source);
  w.field("faiss_build", r.faiss_build);
  w.key("rows");
  w.begin_array();
  for (const EvalRow& row : r.rows) {
    w.begin_object();
    w.field("family", row.family);
    w.field("descriptor", row.descriptor);
    w.field("nprobe", row.nprobe);
    w.field("rerank", static_cast<double>(row.rerank));
    w.field("bytes_per_vector", row.bytes_per_vector);
    w.field("train_s", row.train_s);
    w.field("add_s", row.add_s);
    w.field("qps_single", row.qps_single);
    w.field("qps_all", row.qps_all);
    w.field("recall", row.recall);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  write_text_file(path, w.str() + "\n");
}

void write_csv(const std::string& path, const EvalReport& r) {
  std::ostringstream os;
  os << "family,descriptor,nprobe,rerank,bytes_per_vector,train_s,add_s,qps_single,qps_all,recall_at_" << r.k
     << "\n";
  for (const EvalRow& row : r.rows) {
    os << row.family << ",\"" << row.descriptor << "\"," << row.nprobe << "," << row.rerank << ","
       << row.bytes_per_vector << "," << row.train_s << "," << row.add_s << "," << row.qps_single << ","
       << row.qps_all << "," << row.recall << "\n";
  }
  write_text_file(path, os.str());
}

void plot_recall_qps(const std::string& png_path, const EvalReport& r) {
  IPAQ_CHECK(std::system("command -v gnuplot >/dev/null 2>&1") == 0, IoError,
             "cannot draw ", png_path, ": gnuplot is not installed (apt-get install gnuplot-nox)");
  namespace fs = std::filesystem;
  const fs::path work = fs::temp_directory_path() / ("ipaq-plot-" + std::to_string(::getpid()));
  fs::create_directories(work);
  // One data block per series (family + descriptor + bytes per vector), separated by two blank lines (gnuplot "index").
  std::map<std::string, std::vector<const EvalRow*>> series;
  std::vector<std::string> order;
  for (const EvalRow& row : r.rows) {
    char bytes[32];
    std::snprintf(bytes, sizeof(bytes), " (%.0f B)", row.bytes_per_vector);
    const std::string name = row.family + " " + row.descriptor + bytes;
    if (series.find(name) == series.end()) order.push_back(name);
    series[name].push_back(&row);
  }
  std::ostringstream data;
  for (const std::string& name : order) {
    for (const EvalRow* row : series[name]) data << row->recall << " " << row->qps_single << "\n";
    data << "\n\n";
  }
  const fs::path data_file = work / "points.dat";
  const fs::path script_file = work / "plot.gp";
  write_text_file(data_file.string(), data.str());
  std::ostringstream gp;
  gp << "set terminal pngcairo size 1100,700 noenhanced\n"
     << "set output " << gnuplot_quote(png_path) << "\n"
     << "set title " << gnuplot_quote("recall@" + std::to_string(r.k) + " vs single-thread QPS: " +
                                     fs::path(r.base_path).filename().string() + " (" + r.metric + ")")
     << "\nset xlabel 'recall@" << r.k << "'\nset ylabel 'queries per second (1 thread)'\n"
     << "set logscale y\nset grid\nset key outside right\n"
     << "plot ";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) gp << ", \\\n     ";
    gp << gnuplot_quote(data_file.string()) << " index " << i << " using 1:2 with linespoints pt "
       << (order[i].rfind("faiss", 0) == 0 ? 6 : 7) << " title " << gnuplot_quote(order[i]);
  }
  gp << "\n";
  write_text_file(script_file.string(), gp.str());
  const std::string command = "gnuplot " + shell_quote(script_file.string()) + " 1>&2";
  const int status = std::system(command.c_str());
  std::error_code ec;
  fs::remove_all(work, ec);
  // std::system returns a wait status: the exit code is WEXITSTATUS (127: no gnuplot), or a signal ended it.
  IPAQ_CHECK(status == 0, IoError, "gnuplot failed to draw ", png_path,
             WIFEXITED(status) ? format_message(" (exit status ", WEXITSTATUS(status),
                                                WEXITSTATUS(status) == 127 ? ": gnuplot not found" : "", ")")
             : WIFSIGNALED(status) ? format_message(" (killed by signal ", WTERMSIG(status), ")")
                                   : format_message(" (std::system status ", status, ")"));
}

}  // namespace ipaq::cli
