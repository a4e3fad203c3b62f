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
#include "lib/core/random.h"

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

std::string factory_error(int d, const char* description) {
  try {
    index_factory(d, description, faiss::METRIC_L2);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

// qa5 finding 5: a token of an ipaq codec family gets the codec's own message, not FAISS's parse error.
TEST(IndexFactory, BadIpaqCodecValuesNameTheProblem) {
  for (const char* bad : {"TQ5", "TQ0", "RaBitQ99", "ASQ17", "BSQ1x3", "TQP1", "EDEN0", "IVF8,TQ5", "TQ5,Rerank"}) {
    const std::string message = factory_error(16, bad);
    EXPECT_NE(message.find("index_factory: '" + std::string(bad) + "': "), std::string::npos) << message;
    EXPECT_EQ(message.find("FAISS"), std::string::npos) << message;
  }
}

// qa5 finding 3: FAISS PQ sizes it cannot use are rejected before construction / training (M = 0 and
// nbits 0, 32, 64 crashed with SIGFPE; 17..99 built absurd codebooks).
TEST(IndexFactory, RejectsFaissPqSizesFaissCannotUse) {
  for (const char* bad : {"PQ16x64", "PQ16x32", "PQ16x33", "PQ16x40", "PQ16x65", "PQ16x99", "PQ16x17", "PQ16x0",
                          "PQ0", "IVF4,PQ0", "IVF4,PQ16x64", "PQ4x64np", "OPQ0,PQ4", "PQ16x64fs", "IVF4,PQ8x32fs"}) {
    const std::string message = factory_error(16, bad);
    EXPECT_FALSE(message.empty()) << bad;
    EXPECT_TRUE(message.find("FAISS PQ bits") != std::string::npos ||
                message.find("sub-quantizers must be >= 1") != std::string::npos)
        << bad << ": " << message;
  }
  EXPECT_THROW(faiss_index_factory(16, "PQ16x64"), InvalidArgument);  // eval --faiss's entry
  EXPECT_THROW(faiss_index_factory(16, "IVF4,PQ0"), InvalidArgument);
  EXPECT_NE(dynamic_cast<faiss::IndexPQ*>(faiss_index_factory(16, "PQ4x8").get()), nullptr);
  EXPECT_EQ(factory_error(16, "PQ16x16"), "");
  EXPECT_EQ(factory_error(16, "PQ4x8np"), "");
  EXPECT_EQ(factory_error(16, "IVF4,PQ8"), "");
}

// FAISS's k-means asserts nx >= k: the fewest training rows is the largest centroid count to train, through
// wrappers; an IVF whose coarse quantizer is already trained (and filled) needs only its PQ's.
TEST(IndexFactory, MinTrainingRowsIsTheLargestCentroidCountToTrain) {
  const std::vector<std::pair<const char*, faiss::Index::idx_t>> cases = {
      {"Flat", 1},         {"SQ8", 1},           {"PQ4", 256},          {"PQ4x4fs", 16},    {"PQ4x10", 1024},
      {"IVF64,Flat", 64},  {"IVF512,PQ4x4", 512}, {"IVF16,PQ4", 256},   {"IVF64,PQ4x4fs", 64},
      {"OPQ4,PQ4", 256},   {"OPQ4,PQ4x5", 256},   {"PQ4,RFlat", 256},   {"IDMap,PQ4x6", 64},   {"TQ4", 1},         {"IVF32,TQ4", 32},
      {"TQ4,Rerank", 1},   {"IVF32,TQ4,Rerank", 32}, {"IVF32,TQ4,Refine", 32},
      // An IMI coarse quantizer trains alone (FAISS: quantizer_trains_alone == 1): its own product
      // quantizer's 2^bits, not nlist = 2^(2 bits).
      {"IMI2x8,PQ8", 256}, {"IMI2x4,PQ4x4", 16},  {"IMI2x4,PQ4x6", 64}};
  for (const auto& [desc, rows] : cases) {
    auto index = index_factory(16, desc, faiss::METRIC_L2);
    EXPECT_EQ(min_training_rows(*index), rows) << desc;
    EXPECT_NO_THROW(check_training_rows(*index, desc, rows)) << desc;
    if (rows > 1) {
      try {
        check_training_rows(*index, desc, rows - 1);
        ADD_FAILURE() << desc << ": no throw";
      } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("needs at least " + std::to_string(rows) + " training vectors, got " +
                                             std::to_string(rows - 1)),
                  std::string::npos)
            << e.what();
      }
    }
  }
  // The rows it names are enough: FAISS trains each of them (small centroid counts: k-means is slow under
  // ASan; OPQ's own 8-bit quantizer needs 256 even over a 4-bit PQ, which this check found).
  std::vector<float> x(1024 * 16);
  Rng rng(5);
  for (float& v : x) v = static_cast<float>(rng.normal());
  for (const char* desc : {"PQ4x6", "IVF64,PQ4x4", "IVF8,PQ4x5", "PQ4x4fs", "OPQ4,PQ4x4", "IMI2x4,PQ4x4"}) {
    auto index = index_factory(16, desc, faiss::METRIC_L2);
    EXPECT_NO_THROW(index->train(min_training_rows(*index), x.data())) << desc;
  }
  // A trained coarse quantizer leaves only the PQ's requirement.
  auto ivf = index_factory(16, "IVF64,PQ4x4", faiss::METRIC_L2);
  auto* as_ivf = dynamic_cast<faiss::IndexIVF*>(ivf.get());
  ASSERT_NE(as_ivf, nullptr);
  as_ivf->quantizer->add(64, x.data());
  as_ivf->quantizer->is_trained = true;
  EXPECT_EQ(min_training_rows(*ivf), 16);
  // One centroid short of nlist is not trained (FAISS retrains it): nlist again, as IndexIVF::train needs.
  auto partial = index_factory(16, "IVF64,PQ4x4", faiss::METRIC_L2);
  auto* partial_ivf = dynamic_cast<faiss::IndexIVF*>(partial.get());
  ASSERT_NE(partial_ivf, nullptr);
  partial_ivf->quantizer->add(63, x.data());
  EXPECT_EQ(min_training_rows(*partial), 64);
}

// qa5 finding 2: the ipaq indexes the factory builds take rows under the check_vectors contract (finite
// values, finite float32 squared norm) in train (flat), add and search, naming the row; a row of 1e19 in
// d = 16 (each square 1e38, their sum inf) used to be accepted and give results at distance FLT_MAX.
TEST(IndexFactory, IpaqIndexesRejectRowsWhoseSquaredNormOverflows) {
  const int d = 16, n = 64;
  std::vector<float> x(n * d);
  Rng rng(3);
  for (float& v : x) v = static_cast<float>(rng.normal());
  std::vector<float> huge = x;
  for (int j = 0; j < d; ++j) huge[5 * d + j] = 1e19f;
  auto expect_row5 = [](auto call, const char* what) {
    try {
      call();
      ADD_FAILURE() << what << ": no throw";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("row 5: squared norm overflows float32"), std::string::npos) << e.what();
    }
  };
  auto flat = index_factory(d, "TQ4", faiss::METRIC_L2);
  expect_row5([&] { flat->train(n, huge.data()); }, "flat train");
  for (const char* desc : {"TQ4", "IVF4,TQ4", "TQ4,Rerank", "TQ4,Refine"}) {
    auto index = index_factory(d, desc, faiss::METRIC_INNER_PRODUCT);
    index->train(n, x.data());
    expect_row5([&] { index->add(n, huge.data()); }, desc);
    index->add(n, x.data());
    std::vector<float> distances(n);
    std::vector<faiss::Index::idx_t> labels(n);
    expect_row5([&] { index->search(n, huge.data(), 1, distances.data(), labels.data()); }, desc);
  }
}

}  // namespace
}  // namespace ipaq
