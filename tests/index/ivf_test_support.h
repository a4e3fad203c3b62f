// Shared by the IVF index tests (ivf_packed_lists_test.cc, ivf_mend_test.cc, ivf_l2_terms_test.cc): a
// trained index, the layout x metric loop, an empty copy of a trained index, and packed lists that fail on
// demand.
#pragma once

#include <faiss/IndexFlat.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "index/index_codec_ivf.h"
#include "index/index_io.h"
#include "index/ivf_packed_lists.h"
#include "lib/codecs/codec.h"
#include "lib/core/error.h"

namespace ipaq::testing {

// An IndexCodecIVF over `descriptor` in dimension d with nlist lists (a flat coarse quantizer of the
// metric), trained on `train` (a multiple of d floats).
inline std::unique_ptr<IndexCodecIVF> trained_ivf(const std::string& descriptor, size_t d, faiss::MetricType metric,
                                                  size_t nlist, const std::vector<float>& train, bool fastscan = true) {
  std::unique_ptr<faiss::Index> q;
  if (metric == faiss::METRIC_L2) q = std::make_unique<faiss::IndexFlatL2>(static_cast<int>(d));
  else q = std::make_unique<faiss::IndexFlatIP>(static_cast<int>(d));
  auto index = std::make_unique<IndexCodecIVF>(std::move(q), nlist, make_codec(descriptor, d), metric, fastscan);
  index->train(static_cast<faiss::Index::idx_t>(train.size() / d), train.data());
  return index;
}

// Runs body(descriptor, metric) for a 4-bit layout (RaBitQ1) and an 8-bit one (TQ3), under both metrics.
template <class Body>
void for_layouts_and_metrics(Body&& body) {
  for (const char* descriptor : {"RaBitQ1", "TQ3"}) {
    for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
      SCOPED_TRACE(std::string(descriptor) + (metric == faiss::METRIC_L2 ? " L2" : " IP"));
      body(descriptor, metric);
    }
  }
}

// An index with the same centroids and codec state and no vectors (through the index file).
inline std::unique_ptr<IndexCodecIVF> empty_copy(const IndexCodecIVF& index) {
  std::string bytes;
  write_index(&index, &bytes);
  std::unique_ptr<faiss::Index> read = read_index_bytes(bytes);
  auto* ivf = dynamic_cast<IndexCodecIVF*>(read.get());
  EXPECT_NE(ivf, nullptr);
  read.release();
  std::unique_ptr<IndexCodecIVF> copy(ivf);
  copy->reset();
  return copy;
}

// Throws from add_entries on one list (an allocation failure stand-in), after `allowed` successful calls.
class FailingLists : public PackedInvertedLists {
 public:
  using PackedInvertedLists::PackedInvertedLists;
  size_t add_entries(size_t list_no, size_t n_entry, const idx_t* ids, const uint8_t* codes) override {
    if (list_no == fail_list && allowed-- <= 0) throw StateError("injected add_entries failure");
    return PackedInvertedLists::add_entries(list_no, n_entry, ids, codes);
  }
  size_t fail_list = 0;
  std::atomic<int> allowed{1 << 30};
};

}  // namespace ipaq::testing
