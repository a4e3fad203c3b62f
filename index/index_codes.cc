#include "index/index_codes.h"

#include <faiss/IndexFastScan.h>
#include <faiss/IndexFlatCodes.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/pq4_fast_scan.h>

#include <cstring>
#include <typeinfo>

#include "index/index_checks.h"
#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/rerank.h"
#include "lib/core/checks.h"
#include "lib/core/memory_advice.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

using idx_t = faiss::Index::idx_t;

// Flat indexes number vectors by position: explicit ids must continue that numbering.
void check_positional_ids(const faiss::Index& index, idx_t n, const idx_t* ids) {
  if (ids == nullptr) return;
  for (idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(ids[i] == index.ntotal + i, "add_sa_codes: ", typeid(index).name(),
                   " numbers vectors by position: id ", ids[i], " given where ", index.ntotal + i,
                   " is next (wrap the index in IndexIDMap2 for arbitrary ids)");
  }
}

void add_to_ivf(faiss::IndexIVF& ivf, idx_t n, const uint8_t* codes, const idx_t* ids, const idx_t* list_nos) {
  if (auto* codec_ivf = dynamic_cast<IndexCodecIVF*>(&ivf)) {
    codec_ivf->add_codes(n, codes, ids, list_nos);  // list by list, L2 terms included; checks list numbers first
    return;
  }
  const size_t stride = ivf.coarse_code_size() + ivf.code_size;
  for (idx_t i = 0; i < n; ++i) {
    checked_list_number(ivf, codes + static_cast<size_t>(i) * stride, "add_sa_codes");
  }
  ivf.add_sa_codes(n, codes, ids);
}

// Mirrors IndexFastScan::add after compute_codes: grow the block array, pack the new range.
void add_to_fastscan(faiss::IndexFastScan& fs, idx_t n, const uint8_t* codes) {
  const size_t bbs = static_cast<size_t>(fs.bbs);
  const size_t total = static_cast<size_t>(fs.ntotal + n);
  const size_t ntotal2 = (total + bbs - 1) / bbs * bbs;
  const size_t new_size = checked_mul(ntotal2, fs.M2, "fast-scan codes") / 2;
  const size_t old_size = fs.codes.size();
  if (new_size > old_size) {
    fs.codes.resize(new_size);
    std::memset(fs.codes.get() + old_size, 0, new_size - old_size);
  }
  faiss::pq4_pack_codes_range(codes, fs.M, static_cast<size_t>(fs.ntotal), total, bbs, fs.M2, fs.codes.get());
  fs.ntotal2 = ntotal2;
  fs.ntotal = static_cast<idx_t>(total);
}

}  // namespace

void add_sa_codes(faiss::Index& index, idx_t n, const uint8_t* codes, const idx_t* ids, const idx_t* list_nos) {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || codes != nullptr), "add_sa_codes: need n >= 0 and a code array, got n = ", n);
  if (auto* flat = dynamic_cast<IndexCodecFlat*>(&index)) {
    check_positional_ids(index, n, ids);
    flat->add_codes(n, codes);
  } else if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(&index)) {
    add_to_ivf(*ivf, n, codes, ids, list_nos);
  } else if (auto* fc = dynamic_cast<faiss::IndexFlatCodes*>(&index)) {
    check_positional_ids(index, n, ids);
    fc->codes.insert(fc->codes.end(), codes, codes + checked_mul(static_cast<size_t>(n), fc->code_size, "codes"));
    fc->ntotal += n;
  } else if (auto* fs = dynamic_cast<faiss::IndexFastScan*>(&index)) {
    check_positional_ids(index, n, ids);
    add_to_fastscan(*fs, n, codes);
  } else if (auto* idmap = dynamic_cast<faiss::IndexIDMap*>(&index)) {
    IPAQ_CHECK_ARG(n == 0 || ids != nullptr, "add_sa_codes: IndexIDMap needs explicit ids");
    add_sa_codes(*idmap->index, n, codes, nullptr, list_nos);
    const idx_t first = static_cast<idx_t>(idmap->id_map.size());
    idmap->id_map.insert(idmap->id_map.end(), ids, ids + n);
    if (auto* idmap2 = dynamic_cast<faiss::IndexIDMap2*>(idmap)) {
      for (idx_t i = 0; i < n; ++i) idmap2->rev_map[ids[i]] = first + i;
    }
    idmap->ntotal = idmap->index->ntotal;
  } else if (auto* rerank = dynamic_cast<IndexRerank*>(&index)) {
    add_sa_codes(rerank->base(), n, codes, ids, list_nos);
    rerank->ntotal = rerank->base().ntotal;
  } else if (auto* pre = dynamic_cast<faiss::IndexPreTransform*>(&index)) {
    add_sa_codes(*pre->index, n, codes, ids, list_nos);
    pre->ntotal = pre->index->ntotal;
  } else {
    throw InvalidArgument(format_message("add_sa_codes: unsupported index type ", typeid(index).name()));
  }
}

void reserve_sa_codes(faiss::Index& index, idx_t n) {
  IPAQ_CHECK_ARG(n >= 0, "reserve_sa_codes: n = ", n, " is negative");
  if (auto* flat = dynamic_cast<IndexCodecFlat*>(&index)) {
    flat->reserve(n);
    advise_huge_pages(flat->codes.data(), flat->codes.capacity());  // empty under fast scan
    advise_huge_pages(flat->packed_codes().data(), flat->packed_codes().capacity());
    advise_huge_pages(flat->side_bytes().data(), flat->side_bytes().capacity());
  } else if (dynamic_cast<faiss::IndexIVF*>(&index) != nullptr) {
    // lists grow one by one; nothing to reserve up front
  } else if (auto* fc = dynamic_cast<faiss::IndexFlatCodes*>(&index)) {
    fc->codes.reserve(checked_mul(static_cast<size_t>(fc->ntotal + n), fc->code_size, "codes"));
  } else if (auto* idmap = dynamic_cast<faiss::IndexIDMap*>(&index)) {
    reserve_sa_codes(*idmap->index, n);
    idmap->id_map.reserve(idmap->id_map.size() + static_cast<size_t>(n));
    advise_huge_pages(idmap->id_map.data(), idmap->id_map.capacity() * sizeof(idx_t));
  } else if (auto* rerank = dynamic_cast<IndexRerank*>(&index)) {
    reserve_sa_codes(rerank->base(), n);
  } else if (auto* pre = dynamic_cast<faiss::IndexPreTransform*>(&index)) {
    reserve_sa_codes(*pre->index, n);
  }
}

size_t unused_capacity_bytes(const faiss::Index& index) {
  auto slack = [](const auto& v) { return (v.capacity() - v.size()) * sizeof(v[0]); };
  if (const auto* flat = dynamic_cast<const IndexCodecFlat*>(&index)) {
    return slack(flat->codes) + slack(flat->packed_codes()) + slack(flat->side_bytes());
  } else if (const auto* ivf = dynamic_cast<const IndexCodecIVF*>(&index)) {
    return ivf->unused_capacity_bytes();
  } else if (const auto* fc = dynamic_cast<const faiss::IndexFlatCodes*>(&index)) {
    return slack(fc->codes);
  } else if (const auto* idmap = dynamic_cast<const faiss::IndexIDMap*>(&index)) {
    return unused_capacity_bytes(*idmap->index) + slack(idmap->id_map);
  } else if (const auto* rerank = dynamic_cast<const IndexRerank*>(&index)) {
    return unused_capacity_bytes(rerank->base());
  } else if (const auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(&index)) {
    return unused_capacity_bytes(*pre->index);
  }
  return 0;
}

}  // namespace ipaq
