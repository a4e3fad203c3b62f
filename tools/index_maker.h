// Creating indexes from descriptors for the `ipaq` command, and the facts about them that it reports.
//
// make_index: IndexFamily::kIpaq → ipaq::index_factory (ipaq descriptors first, FAISS's otherwise);
// IndexFamily::kFaiss → faiss::index_factory only (the baseline rows of `ipaq eval`). A descriptor
// neither accepts → ipaq::InvalidArgument naming it (FAISS's exception text is kept).
// code_bytes_per_vector: bytes of codes stored per vector by the innermost code-holding index (refine
// and id-map wrappers are looked through; raw vectors kept for rerank are not counted), or 0 if unknown.
// ivf_nprobe / set_nprobe: the nprobe of the IVF index inside `index` (through wrappers); 0 / false if
// there is none.
#pragma once

#include <faiss/Index.h>

#include <memory>
#include <string>

#include "lib/io/vector_file.h"

namespace ipaq::cli {

enum class IndexFamily { kIpaq, kFaiss };

std::unique_ptr<faiss::Index> make_index(IndexFamily family, int d, const std::string& descriptor,
                                         faiss::MetricType metric);

double code_bytes_per_vector(const faiss::Index& index);

// True if `index` needs a query workload (needs_query_workload, index/index_factory.h); then `workload`
// must hold sample queries of dimension d, else InvalidArgument naming the descriptor and --workload.
bool check_query_workload(faiss::Index& index, const std::string& descriptor, const io::FloatMatrix& workload,
                          size_t d);

int ivf_nprobe(const faiss::Index& index);
bool set_nprobe(faiss::Index& index, int nprobe);

// "ip" / "l2" ↔ faiss metric; InvalidArgument for anything else.
faiss::MetricType parse_metric(const std::string& name);
const char* metric_name(faiss::MetricType metric);

}  // namespace ipaq::cli
