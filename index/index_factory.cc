#include "index/index_factory.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexRefine.h>
#include <faiss/index_factory.h>

#include <cmath>
#include <regex>
#include <vector>

#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/rerank.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

constexpr float kDefaultStageFactor = 4.0f;
constexpr long kMaxNlist = 1L << 24;

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    const size_t comma = s.find(',', begin);
    parts.push_back(s.substr(begin, comma - begin));
    if (comma == std::string::npos) return parts;
    begin = comma + 1;
  }
}

// The parsed ipaq grammar; `codec` empty means "not an ipaq descriptor".
struct IpaqDescriptor {
  long nlist = 0;  // 0: flat
  std::string codec;
  enum class Stage { kNone, kRerank, kRefine } stage = Stage::kNone;
  float factor = kDefaultStageFactor;
};

IpaqDescriptor parse(const std::string& description) {
  IpaqDescriptor out;
  std::vector<std::string> parts = split_commas(description);
  size_t at = 0;
  static const std::regex ivf_re("IVF([0-9]{1,9})");
  std::smatch m;
  if (parts.size() >= 2 && std::regex_match(parts[0], m, ivf_re)) {
    out.nlist = std::stol(m[1].str());
    IPAQ_CHECK_ARG(out.nlist >= 1, "index_factory: '", description, "': nlist must be >= 1");
    at = 1;
  }
  if (at >= parts.size() || !is_codec_descriptor(parts[at])) return {};
  out.codec = parts[at++];
  if (at < parts.size()) {
    static const std::regex stage_re("(Rerank|Refine)([0-9]{1,4}(\\.[0-9]+)?)?");
    IPAQ_CHECK_ARG(at + 1 == parts.size() && std::regex_match(parts[at], m, stage_re), "index_factory: '",
                   description, "': expected ',Rerank[F]' or ',Refine[F]' after the codec, got '", parts[at], "'");
    out.stage = m[1].str() == "Rerank" ? IpaqDescriptor::Stage::kRerank : IpaqDescriptor::Stage::kRefine;
    if (m[2].matched) out.factor = std::stof(m[2].str());
    IPAQ_CHECK_ARG(std::isfinite(out.factor) && out.factor >= 1.0f, "index_factory: '", description,
                   "': the stage factor must be >= 1");
  }
  return out;
}

std::unique_ptr<faiss::Index> make_ipaq(int d, const std::string& description, const IpaqDescriptor& p,
                                        faiss::MetricType metric, const CodecOptions& options) {
  IPAQ_CHECK_ARG(metric == faiss::METRIC_L2 || metric == faiss::METRIC_INNER_PRODUCT, "index_factory: '",
                 description, "': ipaq indexes support METRIC_L2 and METRIC_INNER_PRODUCT only");
  auto codec = make_codec(p.codec, static_cast<size_t>(d), options);
  std::unique_ptr<faiss::Index> index;
  if (p.nlist > 0) {
    IPAQ_CHECK_ARG(p.nlist <= kMaxNlist, "index_factory: '", description, "': nlist ", p.nlist, " exceeds ",
                   kMaxNlist);
    std::unique_ptr<faiss::Index> quantizer;
    if (metric == faiss::METRIC_L2) quantizer = std::make_unique<faiss::IndexFlatL2>(d);
    else quantizer = std::make_unique<faiss::IndexFlatIP>(d);
    index = std::make_unique<IndexCodecIVF>(std::move(quantizer), static_cast<size_t>(p.nlist), std::move(codec),
                                            metric);
  } else {
    index = std::make_unique<IndexCodecFlat>(std::move(codec), metric, /*center=*/true);
  }
  switch (p.stage) {
    case IpaqDescriptor::Stage::kRerank:
      return std::make_unique<IndexRerank>(std::move(index), nullptr, p.factor);
    case IpaqDescriptor::Stage::kRefine: {
      auto refine = std::make_unique<faiss::IndexRefineFlat>(index.get());
      index.release();  // now owned by refine (own_fields)
      refine->own_fields = true;
      refine->k_factor = p.factor;
      return refine;
    }
    case IpaqDescriptor::Stage::kNone:
      break;
  }
  return index;
}

}  // namespace

std::unique_ptr<faiss::Index> index_factory(int d, const std::string& description, faiss::MetricType metric,
                                            const CodecOptions& codec_options) {
  IPAQ_CHECK_ARG(d >= 1, "index_factory: dimension must be >= 1, got ", d);
  const IpaqDescriptor parsed = parse(description);
  if (!parsed.codec.empty()) return make_ipaq(d, description, parsed, metric, codec_options);
  try {
    return std::unique_ptr<faiss::Index>(faiss::index_factory(d, description.c_str(), metric));
  } catch (const std::exception& e) {  // FaissException, or std::exceptions from its parser
    throw InvalidArgument(format_message("index_factory: '", description,
                                         "' is neither an ipaq descriptor nor accepted by FAISS: ", e.what()));
  }
}

namespace {

// The codec-holding ipaq index at the bottom of `index`'s rerank / refine / id-map wrappers (not through
// IndexPreTransform: its queries would need the transform), or null.
faiss::Index* codec_index(faiss::Index& index) {
  if (dynamic_cast<IndexCodecFlat*>(&index) != nullptr || dynamic_cast<IndexCodecIVF*>(&index) != nullptr) {
    return &index;
  }
  if (auto* rerank = dynamic_cast<IndexRerank*>(&index)) return codec_index(rerank->base());
  if (auto* refine = dynamic_cast<faiss::IndexRefine*>(&index)) return codec_index(*refine->base_index);
  if (auto* id_map = dynamic_cast<faiss::IndexIDMap*>(&index)) return codec_index(*id_map->index);
  return nullptr;
}

}  // namespace

bool needs_query_workload(faiss::Index& index) {
  faiss::Index* inner = codec_index(index);
  if (inner == nullptr) return false;
  if (const auto* flat = dynamic_cast<const IndexCodecFlat*>(inner)) return flat->codec().uses_query_workload();
  return static_cast<const IndexCodecIVF*>(inner)->codec().uses_query_workload();
}

bool give_query_workload(faiss::Index& index, faiss::Index::idx_t nq, const float* queries) {
  if (!needs_query_workload(index)) return false;
  faiss::Index* inner = codec_index(index);
  if (auto* flat = dynamic_cast<IndexCodecFlat*>(inner)) {
    flat->set_query_workload(nq, queries);
  } else {
    static_cast<IndexCodecIVF*>(inner)->set_query_workload(nq, queries);
  }
  return true;
}

}  // namespace ipaq
