#include "index/index_factory.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexIVFPQFastScan.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPQFastScan.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexRefine.h>
#include <faiss/VectorTransform.h>
#include <faiss/index_factory.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <vector>

#include "index/index_codec_flat.h"
#include "index/index_checks.h"
#include "index/index_codec_ivf.h"
#include "index/rerank.h"
#include "lib/codecs/codec_registry.h"
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
  if (at >= parts.size()) return {};
  // A token of an ipaq codec family with a bad value ("TQ5") gets the codec's own message, not FAISS's parse error.
  if (names_codec_family(parts[at])) {
    try {
      check_codec_descriptor(parts[at]);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(format_message("index_factory: '", description, "': ", e.what()));
    }
  } else {
    return {};
  }
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

// FAISS 1.7.3 accepts product-quantizer sizes it cannot use (index_factory.h); its PQ supports nbits <= 16.
constexpr long kMaxPqBits = 16;

void check_pq_sizes(const std::string& description, long m, long nbits) {
  IPAQ_CHECK_ARG(m >= 1, "index_factory: '", description, "': the number of PQ sub-quantizers must be >= 1, got ", m);
  IPAQ_CHECK_ARG(nbits >= 1 && nbits <= kMaxPqBits, "index_factory: '", description,
                 "': FAISS PQ bits per sub-quantizer must be in [1, ", kMaxPqBits, "], got ", nbits);
}

// Before FAISS sees the string (its constructors divide by M): every "PQ{M}[x{nbits}]" token.
void check_faiss_pq_tokens(const std::string& description) {
  static const std::regex pq_re("(^|[,_+])O?PQ([0-9]{1,9})(x([0-9]{1,9}))?");
  for (auto it = std::sregex_iterator(description.begin(), description.end(), pq_re); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    check_pq_sizes(description, std::stol(m[2].str()), m[4].matched ? std::stol(m[4].str()) : 8);
  }
}

// The index one of the wrappers (FAISS's IndexPreTransform, IndexRefine, IndexIDMap; ipaq's IndexRerank)
// generates candidates with, or null. IndexRefine's refine_index is not on this chain: see refine_index_of.
faiss::Index* wrapped_index(faiss::Index* index) {
  if (auto* p = dynamic_cast<faiss::IndexPreTransform*>(index)) return p->index;
  if (auto* p = dynamic_cast<faiss::IndexRefine*>(index)) return p->base_index;
  if (auto* p = dynamic_cast<faiss::IndexIDMap*>(index)) return p->index;
  if (auto* p = dynamic_cast<IndexRerank*>(index)) return &p->base();
  return nullptr;
}

// The second index an IndexRefine trains and stores (its refine_index), or null.
faiss::Index* refine_index_of(faiss::Index* index) {
  auto* refine = dynamic_cast<faiss::IndexRefine*>(index);
  return refine != nullptr ? refine->refine_index : nullptr;
}

// The product quantizer of a FAISS PQ, IVFPQ or PQ fast-scan index or of a multi-index (IMI) coarse
// quantizer, or null.
const faiss::ProductQuantizer* product_quantizer(const faiss::Index* index) {
  if (auto* p = dynamic_cast<const faiss::MultiIndexQuantizer*>(index)) return &p->pq;
  if (auto* p = dynamic_cast<const faiss::IndexPQ*>(index)) return &p->pq;
  if (auto* p = dynamic_cast<const faiss::IndexIVFPQ*>(index)) return &p->pq;
  if (auto* p = dynamic_cast<const faiss::IndexPQFastScan*>(index)) return &p->pq;
  if (auto* p = dynamic_cast<const faiss::IndexIVFPQFastScan*>(index)) return &p->pq;
  return nullptr;
}

// After: the product quantizers of what FAISS built, through its wrappers (whatever the string's spelling).
void check_faiss_pq_sizes(const std::string& description, faiss::Index* index) {
  for (; index != nullptr; index = wrapped_index(index)) {
    if (const faiss::ProductQuantizer* pq = product_quantizer(index)) {
      check_pq_sizes(description, static_cast<long>(pq->M), static_cast<long>(pq->nbits));
    }
  }
}

}  // namespace

std::unique_ptr<faiss::Index> index_factory(int d, const std::string& description, faiss::MetricType metric,
                                            const CodecOptions& codec_options) {
  IPAQ_CHECK_ARG(d >= 1, "index_factory: dimension must be >= 1, got ", d);
  const IpaqDescriptor parsed = parse(description);
  if (!parsed.codec.empty()) return make_ipaq(d, description, parsed, metric, codec_options);
  return faiss_index_factory(d, description, metric);
}

std::unique_ptr<faiss::Index> faiss_index_factory(int d, const std::string& description, faiss::MetricType metric) {
  check_faiss_pq_tokens(description);
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::index_factory(d, description.c_str(), metric));
  } catch (const std::exception& e) {  // FaissException, or std::exceptions from its parser
    throw InvalidArgument(format_message("index_factory: '", description,
                                         "' is neither an ipaq descriptor nor accepted by FAISS: ", e.what()));
  }
  check_faiss_pq_sizes(description, index.get());
  return index;
}

faiss::Index::idx_t min_training_rows(faiss::Index& index) {
  faiss::Index::idx_t rows = 1;
  for (faiss::Index* level = &index; level != nullptr; level = wrapped_index(level)) {
    if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(level); ivf != nullptr && !coarse_quantizer_trained(*ivf)) {
      // As FAISS's IndexIVF::train: a quantizer that trains alone (IMI: its own product quantizer) needs
      // what it needs; otherwise k-means over nlist centroids.
      rows = std::max(rows, ivf->quantizer_trains_alone == 1 ? min_training_rows(*ivf->quantizer)
                                                             : static_cast<faiss::Index::idx_t>(ivf->nlist));
    }
    if (const faiss::ProductQuantizer* pq = product_quantizer(level)) {
      rows = std::max(rows, static_cast<faiss::Index::idx_t>(pq->ksub));
    }
    if (faiss::Index* refine = refine_index_of(level); refine != nullptr && !refine->is_trained) {
      rows = std::max(rows, min_training_rows(*refine));
    }
    if (const auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(level)) {
      for (const faiss::VectorTransform* transform : pre->chain) {
        // OPQ trains its rotation with a product quantizer of its own: 8 bits unless one is attached.
        const auto* opq = dynamic_cast<const faiss::OPQMatrix*>(transform);
        if (opq != nullptr && !opq->is_trained) {
          rows = std::max(rows, static_cast<faiss::Index::idx_t>(opq->pq != nullptr ? opq->pq->ksub : 256));
        }
      }
    }
  }
  return rows;
}

void check_training_rows(faiss::Index& index, const std::string& description, faiss::Index::idx_t n) {
  const faiss::Index::idx_t needed = min_training_rows(index);
  IPAQ_CHECK_ARG(n >= needed, "'", description, "' needs at least ", needed, " training vectors, got ", n,
                 " (the k-means of its coarse lists or of each product sub-quantizer's codebook needs one "
                 "vector per centroid)");
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
