// add_sa_codes: append already-encoded vectors to an index without re-encoding them.
//
// The storage layer keeps each vector's code (as produced by index.sa_encode) and rebuilds the
// in-memory index from those bytes on reopen; re-encoding would be slow and, for stochastic codecs,
// must not change the codes. codes: n * index.sa_code_size() bytes; ids: n ids or null.
//
// Supported indexes (anything else → InvalidArgument naming the type):
//  - ipaq::IndexCodecFlat and faiss::IndexFlatCodes subclasses (IndexFlat, IndexPQ,
//    IndexScalarQuantizer, ...): ids must be null or equal to ntotal, ntotal + 1, ... (positional ids).
//  - faiss::IndexFastScan subclasses (IndexPQFastScan): codes are the unpacked codes of
//    IndexFastScan::compute_codes (FAISS 1.7.3's fast-scan indexes have no sa_encode); they are packed
//    into bbs-vector blocks as IndexFastScan::add does. Positional ids as above.
//  - faiss::IndexIVF subclasses, incl. ipaq::IndexCodecIVF: sa_encode codes carry the list number;
//    ids null = positional.
//  - faiss::IndexIDMap2 / IndexIDMap: ids required (any values); the inner index gets positional ids.
//  - ipaq::IndexRerank: forwarded to the base (the exact vectors are the VectorSource's business).
//  - faiss::IndexPreTransform: forwarded to the inner index (codes are the inner index's codes).
// list_nos (optional): for an IVF index (through the wrappers above), the codes' list numbers as the caller
// already read them with checked_list_number (index_checks.h), e.g. while copying the codes out of a store
// when they are in cache; IndexCodecIVF then skips its own pass over the codes (other indexes ignore it).
// They must be the numbers the codes start with; they are range-checked again.
// Errors: n < 0, null codes with n > 0, a list number out of range → InvalidArgument. Not thread-safe
// (mutates the index).
#pragma once

#include <faiss/Index.h>

#include <cstdint>

namespace ipaq {

void add_sa_codes(faiss::Index& index, faiss::Index::idx_t n, const uint8_t* codes,
                  const faiss::Index::idx_t* ids, const faiss::Index::idx_t* list_nos = nullptr);

// Prepares `index` (same types as add_sa_codes) for n more vectors about to be appended by add_sa_codes
// calls: reserves their code (and id) memory where the index keeps contiguous arrays, so a reopen in
// chunks neither reallocates nor leaves slack. A no-op for other types. n < 0 → InvalidArgument.
void reserve_sa_codes(faiss::Index& index, faiss::Index::idx_t n);

// Bytes the index's code and id arrays hold allocated beyond their sizes (growth slack), for the types
// add_sa_codes handles: IndexCodecFlat's code arrays, IndexCodecIVF's packed lists and L2 terms
// (IndexCodecIVF::unused_capacity_bytes), IndexIDMap's ids, FAISS's flat codes; wrappers (IndexIDMap,
// IndexRerank, IndexPreTransform) add their inner index's. 0 for other types.
size_t unused_capacity_bytes(const faiss::Index& index);

}  // namespace ipaq
