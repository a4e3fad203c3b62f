// `ipaq info`: what a database built by `ipaq build` holds.
#include <cstdio>
#include <filesystem>

#include "lib/core/error.h"
#include "storage/durable_index.h"
#include "tools/args.h"
#include "tools/command.h"
#include "tools/index_maker.h"
#include "tools/json_writer.h"

namespace ipaq::cli {
namespace {

int run_info(const std::vector<std::string>& argv) {
  ArgParser parser("ipaq info --db DIR [--json]",
                   "Prints the descriptor, dimension, metric, vector count, bytes per vector and format\n"
                   "version of a database (opening it verifies the stored count against the codes).");
  parser.required("--db", "DIR", "database built by `ipaq build`").flag("--json", "print one JSON object");
  const auto args = parse_or_print_help(parser, argv);
  if (!args) return 0;
  const std::string db_path = args->get("--db");
  IPAQ_CHECK(std::filesystem::is_directory(db_path), IoError, "--db ", db_path, ": no such database directory");
  auto db = storage::DurableIndex::open(db_path);
  const storage::StoreHeader& h = db->header();
  const char* metric = metric_name(static_cast<faiss::MetricType>(h.metric));
  if (args->flag("--json")) {
    JsonWriter w;
    w.begin_object();
    w.field("descriptor", h.descriptor);
    w.field("dim", h.dim);
    w.field("metric", metric);
    w.field("count", static_cast<uint64_t>(db->size()));
    w.field("bytes_per_vector", h.code_size);
    w.field("raw_vectors", h.keep_raw);
    w.field("seed", h.seed);
    w.field("format_version", static_cast<uint64_t>(h.format_version));
    w.end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    std::printf("database:         %s\ndescriptor:       %s\ndimension:        %llu\nmetric:           %s\n"
                "vectors:          %zu\nbytes per vector: %llu (codes)%s\nformat version:   %u\n",
                db_path.c_str(), h.descriptor.c_str(), static_cast<unsigned long long>(h.dim), metric,
                db->size(), static_cast<unsigned long long>(h.code_size),
                h.keep_raw ? " + float vectors for rerank" : "", h.format_version);
  }
  return 0;
}

const Registration kReg{"info", "describe a database built by `ipaq build`", &run_info};

}  // namespace
}  // namespace ipaq::cli
