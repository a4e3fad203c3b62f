#include "index/index_checks.h"

#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

void check_index_input(const faiss::Index& index, const char* type, faiss::Index::idx_t n, const float* x,
                       const char* what) {
  IPAQ_CHECK_ARG(n >= 0, type, ": negative number of ", what, " (n = ", n, ")");
  IPAQ_CHECK_ARG(n == 0 || x != nullptr, type, ": null ", what, " array for n = ", n);
  IPAQ_CHECK(index.is_trained, StateError, type, ": index is not trained");
  check_vectors(x, static_cast<size_t>(n), static_cast<size_t>(index.d), what);
}

}  // namespace

void check_add_args(const faiss::Index& index, const char* type, faiss::Index::idx_t n, const float* x) {
  check_index_input(index, type, n, x, "vectors");
}

void check_search_args(const faiss::Index& index, const char* type, faiss::Index::idx_t n, const float* x,
                       faiss::Index::idx_t k, const float* distances, const faiss::Index::idx_t* labels) {
  IPAQ_CHECK_ARG(k >= 1, type, ": k must be >= 1, got ", k);
  check_index_input(index, type, n, x, "queries");
  IPAQ_CHECK_ARG(n == 0 || (distances != nullptr && labels != nullptr), type,
                 ": null distances or labels array");
}

bool coarse_quantizer_trained(const faiss::IndexIVF& ivf) {
  return ivf.quantizer->is_trained && static_cast<size_t>(ivf.quantizer->ntotal) == ivf.nlist;
}

faiss::Index::idx_t checked_list_number(const faiss::IndexIVF& ivf, const uint8_t* code, const char* type) {
  uint64_t list = 0;
  const size_t nbytes = ivf.coarse_code_size();
  for (size_t b = 0; b < nbytes; ++b) list |= static_cast<uint64_t>(code[b]) << (8 * b);
  IPAQ_CHECK_ARG(list < ivf.nlist, type, ": code has list number ", list, " out of range [0, ", ivf.nlist, ")");
  return static_cast<faiss::Index::idx_t>(list);
}

}  // namespace ipaq
