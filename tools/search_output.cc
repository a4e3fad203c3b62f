#include "tools/search_output.h"

#include <sstream>

#include "lib/core/error.h"
#include "lib/io/vector_file.h"
#include "tools/json_writer.h"
#include "tools/text_file.h"

namespace ipaq::cli {

namespace {

enum class OutputFormat { kIvecs, kFvecs, kCsv, kJson };

OutputFormat output_format(const std::string& path) {
  auto ends_with = [&](const char* ext) {
    const std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends_with(".ivecs")) return OutputFormat::kIvecs;
  if (ends_with(".fvecs")) return OutputFormat::kFvecs;
  if (ends_with(".csv")) return OutputFormat::kCsv;
  if (ends_with(".json")) return OutputFormat::kJson;
  throw InvalidArgument(format_message("--out ", path, ": unknown result format (use .ivecs, .fvecs, .csv or .json)"));
}

}  // namespace

void check_search_output_path(const std::string& path) { output_format(path); }

void write_search_results(const std::string& path, size_t nq, size_t k, const std::vector<float>& distances,
                          const std::vector<int64_t>& labels) {
  switch (output_format(path)) {
    case OutputFormat::kIvecs:
      io::write_ivecs(path, io::IntMatrix{nq, k, labels});
      return;
    case OutputFormat::kFvecs:
      io::write_fvecs(path, io::FloatMatrix{nq, k, distances});
      return;
    case OutputFormat::kCsv: {
      std::ostringstream os;
      os << "query,rank,id,distance\n";
      for (size_t q = 0; q < nq; ++q) {
        for (size_t r = 0; r < k; ++r) {
          os << q << "," << r << "," << labels[q * k + r] << "," << distances[q * k + r] << "\n";
        }
      }
      write_text_file(path, os.str());
      return;
    }
    case OutputFormat::kJson: {
      JsonWriter w;
      w.begin_object();
      w.field("k", static_cast<uint64_t>(k));
      w.key("results");
      w.begin_array();
      for (size_t q = 0; q < nq; ++q) {
        w.begin_object();
        w.key("ids");
        w.begin_array();
        for (size_t r = 0; r < k; ++r) w.value(labels[q * k + r]);
        w.end_array();
        w.key("distances");
        w.begin_array();
        for (size_t r = 0; r < k; ++r) w.value(static_cast<double>(distances[q * k + r]));
        w.end_array();
        w.end_object();
      }
      w.end_array();
      w.end_object();
      write_text_file(path, w.str() + "\n");
      return;
    }
  }
}

}  // namespace ipaq::cli
