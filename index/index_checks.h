// Argument validation shared by every ipaq faiss::Index: one place that turns bad calls into
// ipaq::InvalidArgument / StateError with a message naming the index type and the argument.
//
// check_add_args: n >= 0, x non-null when n > 0, x holds n rows satisfying check_vectors (lib/core/checks.h:
// finite values, finite float32 squared norm), index trained.
// check_search_args: as above for the queries, plus k >= 1 and non-null distances/labels.
// checked_list_number: the coarse list number at the start of an IVF standalone code (FAISS layout:
// coarse_code_size() little-endian bytes), InvalidArgument unless it is < nlist.
// coarse_quantizer_trained: FAISS's test in IndexIVF::train (Level1Quantizer::train_q1) for skipping the
// coarse quantizer's training — it is trained and holds exactly nlist centroids.
// Thread-safe (pure checks).
#pragma once

#include <faiss/Index.h>
#include <faiss/IndexIVF.h>

namespace ipaq {

void check_add_args(const faiss::Index& index, const char* type, faiss::Index::idx_t n, const float* x);
void check_search_args(const faiss::Index& index, const char* type, faiss::Index::idx_t n, const float* x,
                       faiss::Index::idx_t k, const float* distances, const faiss::Index::idx_t* labels);

bool coarse_quantizer_trained(const faiss::IndexIVF& ivf);

faiss::Index::idx_t checked_list_number(const faiss::IndexIVF& ivf, const uint8_t* code, const char* type);

}  // namespace ipaq
