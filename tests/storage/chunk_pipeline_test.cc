// ChunkPipeline (storage/chunk_pipeline.h): chunks are processed once each, in submission order, on one
// other thread; the consumer's exception reaches the producer and stops the processing; destroying a
// pipeline mid-stream (the producer threw) joins without throwing.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "storage/chunk_pipeline.h"

namespace ipaq::storage {
namespace {

// Submits `chunks` chunks of 3 rows (ids c*3..c*3+2, one code byte each equal to the id mod 256).
void produce(ChunkPipeline& pipeline, int chunks) {
  for (int c = 0; c < chunks; ++c) {
    for (int r = 0; r < 3; ++r) {
      pipeline.current().ids.push_back(c * 3 + r);
      pipeline.current().codes.push_back(static_cast<uint8_t>((c * 3 + r) % 256));
    }
    pipeline.submit();
  }
}

TEST(ChunkPipeline, ProcessesEveryChunkOnceInOrderOnAnotherThread) {
  std::vector<int64_t> seen;
  std::thread::id consumer;
  ChunkPipeline pipeline(3, 1, [&](const RowChunk& chunk) {
    consumer = std::this_thread::get_id();
    ASSERT_EQ(chunk.ids.size(), chunk.codes.size());
    for (size_t i = 0; i < chunk.ids.size(); ++i) {
      EXPECT_EQ(chunk.codes[i], static_cast<uint8_t>(chunk.ids[i] % 256));
      seen.push_back(chunk.ids[i]);
    }
  });
  produce(pipeline, 500);
  pipeline.finish();
  ASSERT_EQ(seen.size(), 1500u);
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<int64_t>(i));
  EXPECT_NE(consumer, std::this_thread::get_id());
}

TEST(ChunkPipeline, TheConsumersErrorReachesTheProducerAndStopsProcessing) {
  int processed = 0;
  ChunkPipeline pipeline(3, 1, [&](const RowChunk& chunk) {
    ++processed;
    if (chunk.ids.front() == 30) throw std::runtime_error("chunk 10 is bad");
  });
  try {
    produce(pipeline, 50);
    pipeline.finish();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "chunk 10 is bad");
  }
  EXPECT_EQ(processed, 11) << "chunks after the failing one are dropped";
}

TEST(ChunkPipeline, DestroyingItMidStreamJoinsQuietly) {
  int processed = 0;
  {
    ChunkPipeline pipeline(3, 1, [&](const RowChunk&) { ++processed; });
    produce(pipeline, 5);
    pipeline.current().ids.push_back(99);  // filled but never submitted, as when the producer throws
  }
  EXPECT_EQ(processed, 5);
}

}  // namespace
}  // namespace ipaq::storage
