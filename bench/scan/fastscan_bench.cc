// Scan-kernel throughput: the 4-bit fast-scan at every SIMD level against a plain streaming read of the
// same bytes, in the same binary and run (issue 4 target: fast-scan ≥ 50 % of the streaming read's
// bandwidth on ≥ 256 MB of codes), plus the 8-bit LUT scan and top-k selection.
//
// Run: OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 build/bench/scan/scan_bench
//        --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Single thread. Codes are random bytes (every byte is a valid pair of sub-codes); bytes_per_second
// counts code bytes read. The SIMD level is switched per benchmark with set_simd_level_for_testing.
#include <benchmark/benchmark.h>

#include <emmintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "lib/core/random.h"
#include "lib/core/simd_level.h"
#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_4bit.h"
#include "lib/scan/fastscan_8bit.h"
#include "lib/scan/lut_scan_8bit.h"
#include "lib/scan/topk.h"

namespace ipaq {
namespace {

constexpr size_t kCodeBytes = size_t{256} << 20;  // 256 MiB of packed codes

AlignedBytes random_bytes(size_t n, uint64_t seed) {
  AlignedBytes bytes(n);
  uint64_t state = seed;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    const uint64_t word = splitmix64(state);
    std::memcpy(bytes.data() + i, &word, 8);
  }
  return bytes;
}

// Switches simd_level() to state.range(0) for one benchmark and restores the CPU's level afterwards.
class ScopedSimdLevel {
 public:
  explicit ScopedSimdLevel(benchmark::State& state) : level_(static_cast<SimdLevel>(state.range(0))) {
    supported_ = static_cast<int>(level_) <= static_cast<int>(cpu_simd_level());
    if (!supported_) {
      state.SkipWithError("SIMD level not supported by this CPU");
      return;
    }
    set_simd_level_for_testing(level_);
    state.SetLabel(simd_level_name(level_));
  }
  ~ScopedSimdLevel() { set_simd_level_for_testing(cpu_simd_level()); }
  bool supported() const { return supported_; }

 private:
  SimdLevel level_;
  bool supported_;
};

// The references: read every byte once with 4 independent accumulators, (a) 64-bit scalar loads,
// (b) 16-byte SSE2 loads (baseline x86-64). Both are memory bound; RESULTS.md quotes the faster one.
const AlignedBytes& streaming_bytes() {
  static const AlignedBytes bytes = random_bytes(kCodeBytes, 1);
  return bytes;
}

void BM_StreamingRead64(benchmark::State& state) {
  const auto& bytes = streaming_bytes();
  for (auto _ : state) {
    uint64_t acc[4] = {0, 0, 0, 0};
    const uint8_t* p = bytes.data();
    for (size_t i = 0; i + 32 <= bytes.size(); i += 32) {
      for (int k = 0; k < 4; ++k) {
        uint64_t w;
        std::memcpy(&w, p + i + 8 * k, 8);
        acc[k] += w;
      }
    }
    benchmark::DoNotOptimize(acc[0] + acc[1] + acc[2] + acc[3]);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_StreamingRead64)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StreamingReadSse2(benchmark::State& state) {
  const auto& bytes = streaming_bytes();
  for (auto _ : state) {
    __m128i acc[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
    const uint8_t* p = bytes.data();
    for (size_t i = 0; i + 64 <= bytes.size(); i += 64) {
      for (int k = 0; k < 4; ++k) {
        acc[k] = _mm_add_epi64(acc[k], _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16 * k)));
      }
    }
    benchmark::DoNotOptimize(_mm_add_epi64(_mm_add_epi64(acc[0], acc[1]), _mm_add_epi64(acc[2], acc[3])));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_StreamingReadSse2)->Unit(benchmark::kMillisecond)->UseRealTime();

// 256 MiB of random packed 4-bit codes with nsub sub-codes and a quantized random LUT for them.
struct Scan4bitData {
  explicit Scan4bitData(size_t nsub)
      : layout(nsub), n(kCodeBytes / layout.block_bytes() * FastScanLayout::kBlockSize),
        packed(random_bytes(layout.packed_bytes(n), 2)) {
    std::vector<float> lut(nsub * 16);
    Rng rng(3);
    for (auto& v : lut) v = static_cast<float>(rng.normal());
    quantized = quantize_lut(lut.data(), nsub, 4, {0, nsub});
    tables = make_fastscan_lut(layout, quantized);
  }
  FastScanLayout layout;
  size_t n;
  AlignedBytes packed;
  QuantizedLut quantized;
  FastScanLut tables;
};

// args: {SIMD level, nsub}. nsub = 256: 1-bit RaBitQ of 1024-d (4 dims per nibble), 128 B/vector;
// nsub = 1024: 4 bits per coordinate of 1024-d, 512 B/vector; nsub = 64: PQ-like 32 B/vector.
// One call over all n vectors: the n uint32 sums are written to memory too (4 B per vector).
void BM_Scan4bit(benchmark::State& state) {
  const ScopedSimdLevel level(state);
  if (!level.supported()) return;
  const Scan4bitData d(static_cast<size_t>(state.range(1)));
  std::vector<uint32_t> sums(d.n);
  for (auto _ : state) {
    scan_4bit(d.layout, d.tables, d.n, d.packed.data(), sums.data());
    benchmark::DoNotOptimize(sums.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * d.packed.size()));
  state.counters["codes/s"] = benchmark::Counter(static_cast<double>(state.iterations() * d.n),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Scan4bit)
    ->ArgsProduct({{0, 1, 2}, {64, 256, 512, 1024}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// As BM_Scan4bit, but scanning runs of 1024 vectors into one reused output buffer (as an index does
// before selecting the top-k), so the sums stay in L1 and only the codes stream from memory.
void BM_Scan4bitRuns(benchmark::State& state) {
  constexpr size_t kRunVectors = 1024;
  const ScopedSimdLevel level(state);
  if (!level.supported()) return;
  const Scan4bitData d(static_cast<size_t>(state.range(1)));
  std::vector<uint32_t> sums(kRunVectors);
  for (auto _ : state) {
    for (size_t begin = 0; begin < d.n; begin += kRunVectors) {
      const size_t count = std::min(kRunVectors, d.n - begin);
      scan_4bit(d.layout, d.tables, count, d.packed.data() + begin / FastScanLayout::kBlockSize * d.layout.block_bytes(),
                sums.data());
      benchmark::DoNotOptimize(sums.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * d.packed.size()));
}
BENCHMARK(BM_Scan4bitRuns)
    ->ArgsProduct({{1, 2}, {64, 256, 1024}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// args: {SIMD level}; float-LUT scan of row-major byte codes: 64 sub-codes (64 B/vector), 16 MiB.
void BM_Scan8bit(benchmark::State& state) {
  const ScopedSimdLevel level(state);
  if (!level.supported()) return;
  const size_t nsub = 64, n = (size_t{16} << 20) / nsub;
  const auto codes = random_bytes(n * nsub, 4);
  std::vector<float> lut(nsub * 256);
  Rng rng(5);
  for (auto& v : lut) v = static_cast<float>(rng.normal());
  std::vector<float> sums(n);
  for (auto _ : state) {
    scan_8bit(nsub, {0, nsub}, lut.data(), n, codes.data(), sums.data());
    benchmark::DoNotOptimize(sums.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * codes.size()));
}
BENCHMARK(BM_Scan8bit)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();

// args: {SIMD level, nsub}: the packed 8-bit fast-scan over 256 MiB (nsub = 512: 1024-d codes with two
// 3-bit elements per byte sub-code; nsub = 64: 64 B/vector).
void BM_Scan8bitQuantized(benchmark::State& state) {
  const ScopedSimdLevel level(state);
  if (!level.supported()) return;
  const size_t nsub = static_cast<size_t>(state.range(1));
  const FastScan8Layout layout(nsub);
  const size_t n = kCodeBytes / layout.block_bytes() * FastScan8Layout::kBlockSize;
  const auto packed = random_bytes(layout.packed_bytes(n), 10);
  Rng rng(11);
  std::vector<float> lut(nsub * 256);
  for (auto& v : lut) v = static_cast<float>(rng.normal());
  const QuantizedLut q = quantize_lut(lut.data(), nsub, 8, {0, nsub});
  const FastScan8Lut fl = make_fastscan8_lut(layout, q);
  std::vector<uint32_t> sums(n);
  for (auto _ : state) {
    scan_8bit_quantized(layout, fl, n, packed.data(), sums.data());
    benchmark::DoNotOptimize(sums.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * packed.size()));
}
BENCHMARK(BM_Scan8bitQuantized)
    ->ArgsProduct({{0, 1, 2}, {64, 512}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// args: {k}; 1M random distances pushed into one heap (the per-candidate cost of selection).
void BM_TopK(benchmark::State& state) {
  const size_t n = size_t{1} << 20, k = static_cast<size_t>(state.range(0));
  std::vector<float> d(n);
  Rng rng(6);
  for (auto& v : d) v = static_cast<float>(rng.normal());
  for (auto _ : state) {
    TopK heap(k, TopKOrder::kLargest);
    heap.push_batch(n, d.data(), nullptr);
    benchmark::DoNotOptimize(heap.threshold());
  }
  state.counters["candidates/s"] = benchmark::Counter(static_cast<double>(state.iterations() * n),
                                                      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TopK)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ipaq

BENCHMARK_MAIN();
