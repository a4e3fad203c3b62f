// Per-query preparation of an ipaq fast-scan search, step by step (issue 4: with IVF the query is prepared
// once per query, so these fixed costs bound the QPS at low nprobe): the codec's prepare_query (rotation +
// float LUT), the LUT quantization, and the kernel-ready table layout. Fashion-MNIST's d = 784 with the
// default Hadamard rotation (padded to 1024: 256 4-bit sub-codes) for RaBitQ1, TQ4 (1024 sub-codes) and TQ2 (512).
//
// Also the rerank distance kernel against FAISS's (BM_PrepRerankDistance*).
// Run: OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 build/bench/scan/scan_bench --benchmark_filter=Prep
// Single thread; time per query.
#include <benchmark/benchmark.h>
#include <faiss/utils/distances.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lib/codecs/codec.h"
#include "lib/core/random.h"
#include "lib/scan/exact_distance.h"
#include "lib/scan/fastscan_4bit.h"
#include "lib/scan/fastscan_layout.h"
#include "lib/scan/lut_quantizer.h"
#include "lib/scan/topk_screen.h"

namespace ipaq {
namespace {

constexpr size_t kDim = 784;
const char* const kCodecs[] = {"RaBitQ1", "TQ4", "TQ2"};

struct Prepared {
  std::unique_ptr<Codec> codec;
  std::vector<float> query;
};

Prepared make(int which) {
  Prepared p{make_codec(kCodecs[which], kDim), std::vector<float>(kDim)};
  Rng rng(7);
  std::vector<float> sample(256 * kDim);
  for (auto& v : sample) v = static_cast<float>(rng.normal());
  if (!p.codec->is_trained()) p.codec->train(256, sample.data());
  for (auto& v : p.query) v = static_cast<float>(rng.normal());
  return p;
}

void BM_PrepQuery(benchmark::State& state) {
  const Prepared p = make(static_cast<int>(state.range(0)));
  state.SetLabel(kCodecs[state.range(0)]);
  for (auto _ : state) {
    auto qs = p.codec->prepare_query(p.query.data());
    benchmark::DoNotOptimize(qs->lut.data());
  }
}
BENCHMARK(BM_PrepQuery)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_PrepQuantizeLut(benchmark::State& state) {
  const Prepared p = make(static_cast<int>(state.range(0)));
  state.SetLabel(kCodecs[state.range(0)]);
  const auto qs = p.codec->prepare_query(p.query.data());
  QuantizedLut q;
  for (auto _ : state) {
    quantize_lut_into(qs->lut.data(), p.codec->lut_nsub(), 4, p.codec->lut_group_begin(), q);
    benchmark::DoNotOptimize(q.table.data());
  }
}
BENCHMARK(BM_PrepQuantizeLut)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_PrepFastScanLut(benchmark::State& state) {
  const Prepared p = make(static_cast<int>(state.range(0)));
  state.SetLabel(kCodecs[state.range(0)]);
  const auto qs = p.codec->prepare_query(p.query.data());
  const FastScanLayout layout(p.codec->lut_nsub(), p.codec->lut_group_begin());
  const QuantizedLut q = quantize_lut(qs->lut.data(), p.codec->lut_nsub(), 4, p.codec->lut_group_begin());
  FastScanLut t;
  for (auto _ : state) {
    make_fastscan_lut_into(layout, q, t);
    benchmark::DoNotOptimize(t.lo_tables.data());
  }
}
BENCHMARK(BM_PrepFastScanLut)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ipaq

// Rerank distances (issue 4): lib/scan/exact_distance.h vs FAISS's fvec kernels (what IndexRefineFlat
// uses), one 1024-d pair in L1, time per distance; arg 0 = inner product, 1 = squared L2.
namespace ipaq {
namespace {

std::vector<float> bench_vector(uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(1024);
  for (auto& x : v) x = static_cast<float>(rng.normal());
  return v;
}

void BM_PrepRerankDistanceIpaq(benchmark::State& state) {
  const std::vector<float> a = bench_vector(1), b = bench_vector(2);
  const ExactDistanceFn f = exact_distance_fn(state.range(0) == 1);
  for (auto _ : state) benchmark::DoNotOptimize(f(a.data(), b.data(), a.size()));
}
BENCHMARK(BM_PrepRerankDistanceIpaq)->DenseRange(0, 1)->Unit(benchmark::kNanosecond);

void BM_PrepRerankDistanceFaiss(benchmark::State& state) {
  const std::vector<float> a = bench_vector(1), b = bench_vector(2);
  const bool l2 = state.range(0) == 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(l2 ? faiss::fvec_L2sqr(a.data(), b.data(), a.size())
                                : faiss::fvec_inner_product(a.data(), b.data(), a.size()));
  }
}
BENCHMARK(BM_PrepRerankDistanceFaiss)->DenseRange(0, 1)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace ipaq

// Heap screening of one run (issue 4): screen_topk_run on n random distances for a fresh top-k heap
// (k = 20, the rerank candidates of k = 10 at factor 2), time per run; arg = n.
namespace ipaq {
namespace {

void BM_PrepTopKScreen(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Rng rng(5);
  std::vector<float> dist(n);
  for (auto& v : dist) v = static_cast<float>(rng.normal());
  std::vector<uint32_t> out(n);
  std::vector<float> scratch;
  for (auto _ : state) {
    benchmark::DoNotOptimize(screen_topk_run(n, dist.data(), 20, TopKOrder::kLargest,
                                             -std::numeric_limits<float>::infinity(), out.data(), scratch));
  }
}
BENCHMARK(BM_PrepTopKScreen)->Arg(500)->Arg(1024)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace ipaq
