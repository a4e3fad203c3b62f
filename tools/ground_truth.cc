#include "tools/ground_truth.h"

#include <faiss/IndexFlat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "lib/core/error.h"

namespace ipaq::cli {

namespace fs = std::filesystem;

io::IntMatrix compute_ground_truth(const io::FloatMatrix& base, const io::FloatMatrix& queries, int k,
                                   faiss::MetricType metric) {
  IPAQ_CHECK_ARG(base.d == queries.d, "base vectors have dimension ", base.d, " but queries have ",
                 queries.d);
  IPAQ_CHECK_ARG(k > 0 && static_cast<size_t>(k) <= base.n, "k = ", k, " must be in 1..", base.n,
                 " (the number of base vectors)");
  std::unique_ptr<faiss::IndexFlat> flat;
  if (metric == faiss::METRIC_INNER_PRODUCT) {
    flat = std::make_unique<faiss::IndexFlatIP>(base.d);
  } else {
    flat = std::make_unique<faiss::IndexFlatL2>(base.d);
  }
  flat->add(static_cast<faiss::Index::idx_t>(base.n), base.data.data());
  io::IntMatrix gt;
  gt.n = queries.n;
  gt.d = static_cast<size_t>(k);
  std::vector<float> distances(queries.n * gt.d);
  std::vector<faiss::Index::idx_t> labels(queries.n * gt.d);
  flat->search(static_cast<faiss::Index::idx_t>(queries.n), queries.data.data(), k, distances.data(),
               labels.data());
  gt.data.assign(labels.begin(), labels.end());
  return gt;
}

namespace {

uint32_t crc_of(const io::FloatMatrix& m) {
  return static_cast<uint32_t>(crc32_z(0L, reinterpret_cast<const Bytef*>(m.data.data()),
                                       m.data.size() * sizeof(float)));
}

std::string cache_file_name(const io::FloatMatrix& base, const io::FloatMatrix& queries, int k,
                            faiss::MetricType metric, const std::string& base_path) {
  char key[96];
  std::snprintf(key, sizeof(key), ".gt-%s-k%d-n%zu-q%zu-d%zu-%08x%08x.ivecs",
                metric == faiss::METRIC_INNER_PRODUCT ? "ip" : "l2", k, base.n, queries.n, base.d,
                crc_of(base), crc_of(queries));
  return fs::path(base_path).filename().string() + key;
}

fs::path default_cache_dir() {
  if (const char* dir = std::getenv("IPAQ_CACHE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "ipaq";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".cache" / "ipaq";
  }
  return fs::temp_directory_path() / "ipaq-cache";
}

// Writable = has a write permission bit and access() agrees. The bits matter for root, for whom
// access() succeeds even on a directory marked read-only (like the shared datasets).
bool directory_writable(fs::path dir) {
  if (dir.empty()) dir = ".";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return false;
  const fs::perms perms = fs::status(dir, ec).permissions();
  const fs::perms any_write = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  return !ec && (perms & any_write) != fs::perms::none && ::access(dir.c_str(), W_OK) == 0;
}

// Package-managed data (/usr, e.g. Debian's /usr/share/datasets) is never written, even as root.
bool in_system_tree(const fs::path& file) {
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(file), ec);
  return !ec && absolute.string().rfind("/usr/", 0) == 0;
}

// A cached file is used only if it has exactly the expected shape and ids in range.
bool load_cached(const fs::path& file, const io::FloatMatrix& base, size_t nq, int k, io::IntMatrix* out) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  try {
    io::IntMatrix m = io::read_ids(file.string());
    if (m.n != nq || m.d != static_cast<size_t>(k)) return false;
    for (int64_t id : m.data) {
      if (id < 0 || static_cast<size_t>(id) >= base.n) return false;
    }
    *out = std::move(m);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

io::IntMatrix cached_ground_truth(const io::FloatMatrix& base, const io::FloatMatrix& queries, int k,
                                  faiss::MetricType metric, const GroundTruthCache& cache,
                                  std::string* source) {
  const std::string name = cache_file_name(base, queries, k, metric, cache.base_path);
  const fs::path next_to_data = fs::path(cache.base_path).parent_path() / name;
  const fs::path in_cache_dir = (cache.cache_dir.empty() ? default_cache_dir() : fs::path(cache.cache_dir)) / name;
  io::IntMatrix gt;
  for (const fs::path& candidate : {next_to_data, in_cache_dir}) {
    if (load_cached(candidate, base, queries.n, k, &gt)) {
      *source = "cache " + candidate.string();
      return gt;
    }
  }
  gt = compute_ground_truth(base, queries, k, metric);
  std::string reason = "no writable directory";
  for (const fs::path& target : {next_to_data, in_cache_dir}) {
    if (!directory_writable(target.parent_path()) || (target == next_to_data && in_system_tree(target))) {
      continue;
    }
    const fs::path temp = target.string() + ".tmp" + std::to_string(::getpid());
    try {
      io::write_ivecs(temp.string(), gt);
      fs::rename(temp, target);
      *source = "computed (cached in " + target.string() + ")";
      return gt;
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove(temp, ec);
      reason = e.what();
    }
  }
  *source = "computed (not cached: " + reason + ")";
  return gt;
}

}  // namespace ipaq::cli
