// ipaq::index_factory: builds an index from a descriptor string, ipaq descriptors first, FAISS's
// otherwise.
//
// Grammar (whitespace not allowed):
//     desc    := [ "IVF" nlist "," ] codec [ "," stage ]
//     codec   := an ipaq codec descriptor (ipaq::is_codec_descriptor: ASQ{b}, TQ{b}, TQP{b},
//                RaBitQ{b}, EDEN{b}, EDEN{b}b, BSQ{b}x{p}, ...)
//     stage   := "Rerank" [ F ]   ipaq::IndexRerank, in-memory exact vectors, default factor F (4 if
//                                 omitted); the codec's error bound is used only on request
//                                 (SearchParametersRerank::bound_with_in_memory_source) or with an
//                                 external source such as storage's RocksDB one
//              | "Refine" [ F ]   faiss::IndexRefineFlat over the index, k_factor F (4 if omitted)
//   - codec alone      → ipaq::IndexCodecFlat (trains a global center; codes of x - center)
//   - IVF{nlist},codec → ipaq::IndexCodecIVF with a faiss::IndexFlat coarse quantizer (L2 or IP as the
//                        metric), k-means trained, codes of residuals to the centroid
//   - a descriptor whose codec part is not an ipaq codec → faiss::index_factory(d, desc, metric), so
//     "PQ98x8", "PQ196x4fs", "IVF256,PQ98x4fs", "SQ4", "IVF256,PQ98x4fs,RFlat" work unchanged.
// Returns an untrained index owning all its parts.
//
// A token of an ipaq codec family (TQ5, RaBitQ99, BSQ1x3) is an ipaq descriptor with a bad value: its
// codec's message is the error, FAISS is not tried.
//
// Errors: d <= 0, a metric other than L2/INNER_PRODUCT for ipaq codecs, nlist or F out of range, or a
// descriptor neither grammar accepts → ipaq::InvalidArgument naming the descriptor (FAISS's own
// exception is translated). Thread-safe.
//
// faiss_index_factory: faiss::index_factory alone (no ipaq grammar), with the checks FAISS 1.7.3 lacks:
// product quantizers (PQ, IVFPQ, PQ fast scan, through IndexPreTransform / IndexRefine / IndexIDMap) need
// M >= 1 and 1 <= nbits <= 16 (M = 0 and nbits 32 or 64 crash it with SIGFPE, 17..99 build codebooks of up
// to 2^99 entries). Used by index_factory's fallback too.
#pragma once

#include <faiss/Index.h>

#include <memory>
#include <string>

#include "lib/codecs/codec.h"

namespace ipaq {

std::unique_ptr<faiss::Index> index_factory(int d, const std::string& description,
                                            faiss::MetricType metric = faiss::METRIC_L2,
                                            const CodecOptions& codec_options = {});

std::unique_ptr<faiss::Index> faiss_index_factory(int d, const std::string& description,
                                                  faiss::MetricType metric = faiss::METRIC_L2);

// min_training_rows: the fewest training vectors `index` can be trained on — FAISS's k-means refuses fewer
// points than centroids: an IVF's nlist (unless its coarse quantizer is already trained and full; an IMI
// coarse quantizer, which trains alone, needs its own product quantizer's), a product quantizer's 2^nbits
// per sub-quantizer, OPQ's own quantizer's; through IndexPreTransform / IndexRefine (both of its indexes) /
// IndexIDMap / IndexRerank; 1 otherwise.
// check_training_rows: InvalidArgument naming `description` and that number when n is below it (before
// FAISS's own assertion text would escape from train()).
faiss::Index::idx_t min_training_rows(faiss::Index& index);
void check_training_rows(faiss::Index& index, const std::string& description, faiss::Index::idx_t n);

// Workload-weighted codecs (ASQ{b}w) need sample queries before training. needs_query_workload: whether
// the ipaq index inside `index` (through IndexRerank, IndexRefine and IndexIDMap wrappers; not through
// IndexPreTransform, whose queries would need its transform) has such a codec. give_query_workload hands
// it nq sample queries (nq * d floats; IndexCodecFlat / IndexCodecIVF::set_query_workload's checks apply)
// and returns true, or returns false and does nothing when the index needs none.
bool needs_query_workload(faiss::Index& index);
bool give_query_workload(faiss::Index& index, faiss::Index::idx_t nq, const float* queries);

}  // namespace ipaq
