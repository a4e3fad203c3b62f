// The FAISS reference for the 4-bit fast-scan: IndexPQFastScan::search (one query, k = 10, inner
// product, single thread) against ipaq's scan_4bit + TopK over the same number of code bytes, in the
// same binary as the streaming-read reference (fastscan_bench.cc). Both sides include LUT preparation,
// LUT quantization, the scan and the top-k selection. FAISS's codes are random bytes written straight
// into its packed array (every byte is a valid code; the PQ centroids are random, no training), so the
// scan work is the same as for trained codes. The FAISS build is reported in the benchmark context
// (faiss::get_compile_options(): Debian's generic build, or the AVX2 one of scripts/build-faiss-avx2.sh
// selected with -DIPAQ_FAISS_PREFIX).
#include <benchmark/benchmark.h>
#include <faiss/IndexPQFastScan.h>
#include <faiss/utils/utils.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "lib/core/random.h"
#include "lib/core/simd_level.h"
#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_4bit.h"
#include "lib/scan/topk.h"

namespace ipaq {
namespace {

constexpr size_t kCodeBytes = size_t{256} << 20;  // as in fastscan_bench.cc
constexpr int64_t kTopK = 10;
constexpr size_t kChunkVectors = 1024;  // ipaq: sums of one chunk stay in L1 before selection

void fill_random(uint8_t* bytes, size_t n, uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    const uint64_t word = splitmix64(state);
    std::memcpy(bytes + i, &word, 8);
  }
}

std::vector<float> random_floats(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>(rng.normal());
  return x;
}

// args: {M}: M 4-bit sub-quantizers of 1-d sub-vectors (d = M), M / 2 bytes per vector.
void BM_FaissPQFastScanSearch(benchmark::State& state) {
  const size_t m = static_cast<size_t>(state.range(0));
  faiss::IndexPQFastScan index(static_cast<int>(m), m, 4, faiss::METRIC_INNER_PRODUCT);
  const auto centroids = random_floats(index.pq.centroids.size(), 7);
  std::memcpy(index.pq.centroids.data(), centroids.data(), centroids.size() * sizeof(float));
  index.is_trained = true;
  const size_t n = kCodeBytes / (m / 2);
  index.ntotal = static_cast<faiss::Index::idx_t>(n);
  index.ntotal2 = (n + index.bbs - 1) / index.bbs * index.bbs;
  index.codes.resize(index.ntotal2 * index.M2 / 2);
  fill_random(index.codes.data(), index.codes.size(), 8);
  const auto query = random_floats(m, 9);
  std::vector<float> distances(kTopK);
  std::vector<faiss::Index::idx_t> labels(kTopK);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  for (auto _ : state) {
    index.search(1, query.data(), kTopK, distances.data(), labels.data());
    benchmark::DoNotOptimize(labels.data());
  }
  omp_set_num_threads(threads);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * index.codes.size()));
  state.SetLabel(faiss::get_compile_options());
}
BENCHMARK(BM_FaissPQFastScanSearch)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

// args: {nsub}: the same shape as BM_FaissPQFastScanSearch/M, at the detected SIMD level.
void BM_Scan4bitTopK(benchmark::State& state) {
  const size_t nsub = static_cast<size_t>(state.range(0));
  const FastScanLayout layout(nsub);
  const size_t n = kCodeBytes / layout.block_bytes() * FastScanLayout::kBlockSize;
  AlignedBytes packed(layout.packed_bytes(n));
  fill_random(packed.data(), packed.size(), 8);
  const auto lut = random_floats(nsub * 16, 9);
  std::vector<uint32_t> sums(kChunkVectors);
  std::vector<float> estimates(kChunkVectors);
  std::vector<float> distances(kTopK);
  std::vector<int64_t> labels(kTopK);
  for (auto _ : state) {
    const QuantizedLut q = quantize_lut(lut.data(), nsub, 4, {0, nsub});
    const FastScanLut fl = make_fastscan_lut(layout, q);
    TopK heap(kTopK, TopKOrder::kLargest);
    for (size_t begin = 0; begin < n; begin += kChunkVectors) {
      const size_t count = std::min(kChunkVectors, n - begin);
      scan_4bit(layout, fl, count, packed.data() + begin / FastScanLayout::kBlockSize * layout.block_bytes(),
                sums.data());
      q.dequantize(count, sums.data(), estimates.data());
      heap.push_batch(count, estimates.data(), nullptr, static_cast<int64_t>(begin));
    }
    heap.extract_sorted(distances.data(), labels.data());
    benchmark::DoNotOptimize(labels.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * packed.size()));
  state.SetLabel(simd_level_name(simd_level()));
}
BENCHMARK(BM_Scan4bitTopK)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ipaq
