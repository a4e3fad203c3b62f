#include "tools/index_maker.h"

#include <faiss/IVFlib.h>
#include <faiss/IndexFastScan.h>
#include <faiss/IndexFlatCodes.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexRefine.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>

#include "index/index_factory.h"
#include "index/rerank.h"
#include "lib/core/error.h"

namespace ipaq::cli {

std::unique_ptr<faiss::Index> make_index(IndexFamily family, int d, const std::string& descriptor,
                                         faiss::MetricType metric) {
  IPAQ_CHECK_ARG(!descriptor.empty(), "empty index descriptor");
  try {
    if (family == IndexFamily::kIpaq) return index_factory(d, descriptor, metric);
    return faiss_index_factory(d, descriptor, metric);
  } catch (const faiss::FaissException& e) {
    throw InvalidArgument(format_message("unknown or invalid index descriptor '", descriptor,
                                         "': ", e.msg));
  }
}

double code_bytes_per_vector(const faiss::Index& index) {
  if (const auto* rerank = dynamic_cast<const IndexRerank*>(&index)) return code_bytes_per_vector(rerank->base());
  if (const auto* refine = dynamic_cast<const faiss::IndexRefine*>(&index)) {
    return code_bytes_per_vector(*refine->base_index);
  }
  if (const auto* id_map = dynamic_cast<const faiss::IndexIDMap*>(&index)) {
    return code_bytes_per_vector(*id_map->index);
  }
  if (const auto* transform = dynamic_cast<const faiss::IndexPreTransform*>(&index)) {
    return code_bytes_per_vector(*transform->index);
  }
  if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(&index)) return static_cast<double>(ivf->code_size);
  if (const auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(&index)) {
    return static_cast<double>(flat->code_size);
  }
  if (const auto* fast = dynamic_cast<const faiss::IndexFastScan*>(&index)) {
    return static_cast<double>(fast->code_size);
  }
  try {
    return static_cast<double>(index.sa_code_size());
  } catch (const std::exception&) {
    return 0;
  }
}

bool check_query_workload(faiss::Index& index, const std::string& descriptor, const io::FloatMatrix& workload,
                          size_t d) {
  if (!needs_query_workload(index)) return false;
  IPAQ_CHECK_ARG(workload.n > 0, "index '", descriptor,
                 "' has a workload-weighted codec: give sample queries with --workload FILE");
  IPAQ_CHECK_ARG(workload.d == d, "workload queries have dimension ", workload.d, " but base vectors have ", d);
  return true;
}

int ivf_nprobe(const faiss::Index& index) {
  const faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(&index);
  return ivf == nullptr ? 0 : static_cast<int>(ivf->nprobe);
}

bool set_nprobe(faiss::Index& index, int nprobe) {
  faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(&index);
  if (ivf == nullptr) return false;
  ivf->nprobe = static_cast<size_t>(nprobe);
  return true;
}

faiss::MetricType parse_metric(const std::string& name) {
  if (name == "ip") return faiss::METRIC_INNER_PRODUCT;
  if (name == "l2") return faiss::METRIC_L2;
  throw InvalidArgument(format_message("unknown metric '", name, "' (expected ip or l2)"));
}

const char* metric_name(faiss::MetricType metric) {
  return metric == faiss::METRIC_INNER_PRODUCT ? "ip" : "l2";
}

}  // namespace ipaq::cli
