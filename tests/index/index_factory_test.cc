#include "index/index_factory.h"

#include <faiss/IndexIVFPQFastScan.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPQFastScan.h>
#include <faiss/IndexRefine.h>
#include <faiss/IndexScalarQuantizer.h>
#include <gtest/gtest.h>

#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/rerank.h"
#include "lib/core/error.h"

namespace ipaq {
namespace {

TEST(IndexFactory, IpaqDescriptors) {
  const int d = 64;
  auto flat = index_factory(d, "TQ4", faiss::METRIC_INNER_PRODUCT);
  auto* f = dynamic_cast<IndexCodecFlat*>(flat.get());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->codec().descriptor(), "TQ4");
  EXPECT_EQ(f->metric_type, faiss::METRIC_INNER_PRODUCT);
  EXPECT_TRUE(f->centered());

  for (const char* codec : {"TQP3", "RaBitQ1", "EDEN2", "EDEN2b", "BSQ2x4"}) {
    auto ix = index_factory(d, codec, faiss::METRIC_L2);
    ASSERT_NE(dynamic_cast<IndexCodecFlat*>(ix.get()), nullptr) << codec;
  }

  auto ivf = index_factory(d, "IVF32,RaBitQ1", faiss::METRIC_L2);
  auto* v = dynamic_cast<IndexCodecIVF*>(ivf.get());
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->nlist, 32u);
  EXPECT_EQ(v->codec().descriptor(), "RaBitQ1");

  auto rr = index_factory(d, "IVF16,BSQ2x4,Rerank8", faiss::METRIC_L2);
  auto* r = dynamic_cast<IndexRerank*>(rr.get());
  ASSERT_NE(r, nullptr);
  EXPECT_FLOAT_EQ(r->default_factor(), 8.0f);
  EXPECT_NE(dynamic_cast<const IndexCodecIVF*>(&r->base()), nullptr);

  auto rr_default = index_factory(d, "TQ2,Rerank", faiss::METRIC_L2);
  EXPECT_FLOAT_EQ(dynamic_cast<IndexRerank*>(rr_default.get())->default_factor(), 4.0f);

  auto rf = index_factory(d, "EDEN4,Refine2.5", faiss::METRIC_INNER_PRODUCT);
  auto* refine = dynamic_cast<faiss::IndexRefineFlat*>(rf.get());
  ASSERT_NE(refine, nullptr);
  EXPECT_FLOAT_EQ(refine->k_factor, 2.5f);
  EXPECT_NE(dynamic_cast<IndexCodecFlat*>(refine->base_index), nullptr);
}

TEST(IndexFactory, FallsBackToFaiss) {
  auto pq = index_factory(98 * 2, "PQ98x8", faiss::METRIC_L2);
  EXPECT_NE(dynamic_cast<faiss::IndexPQ*>(pq.get()), nullptr);
  auto pqfs = index_factory(196, "PQ196x4fs", faiss::METRIC_L2);
  EXPECT_NE(dynamic_cast<faiss::IndexPQFastScan*>(pqfs.get()), nullptr);
  auto ivfpqfs = index_factory(196, "IVF256,PQ98x4fs", faiss::METRIC_L2);
  EXPECT_NE(dynamic_cast<faiss::IndexIVFPQFastScan*>(ivfpqfs.get()), nullptr);
  auto sq = index_factory(32, "SQ4", faiss::METRIC_INNER_PRODUCT);
  EXPECT_NE(dynamic_cast<faiss::IndexScalarQuantizer*>(sq.get()), nullptr);
}

TEST(IndexFactory, RejectsBadDescriptors) {
  for (const char* bad : {"", "TQ4,", "IVF,TQ4", "TQ4,Rerank0.5", "TQ4,Rerank2,Refine", "TQ4,Sideways",
                          "IVF16,TQ4,Rerank,Refine", "NotACodec", "TQ99", "IVF0,TQ4"}) {
    EXPECT_THROW(index_factory(64, bad, faiss::METRIC_L2), InvalidArgument) << "'" << bad << "'";
  }
  EXPECT_THROW(index_factory(0, "TQ4", faiss::METRIC_L2), InvalidArgument);
  EXPECT_THROW(index_factory(64, "TQ4", faiss::METRIC_L1), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
