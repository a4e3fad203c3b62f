// CodeScorer: the one scan machinery shared by every ipaq index — turns runs of codes of one codec into
// FAISS distances for one query, and pushes them into a bounded top-k heap.
//
// Per query: set_query(q_codec, offset) prepares the vector the codec sees (q, or q - center for L2)
// once. distances() then writes, for n codes (n * codec.code_size() bytes, row-major),
//     METRIC_INNER_PRODUCT: offset + est<q_codec, x_i>            (larger is better)
//     METRIC_L2:            offset + ||x_i||^2 - 2 est<q_codec, x_i>   (smaller is better)
// where offset carries the parts the code does not see (<q, c> for IP, ||q - c||^2 for L2) and ||x_i||^2
// is the codec's stored norm (or a caller-supplied per-code constant, see distances()). The estimate is Codec::estimate_ip (scalar reference) or, through
// distances_fastscan(), the lib/scan 4-bit fast-scan kernels over packed sub-codes followed by
// Codec::finish_lut_sums; the fast path differs from the reference by the LUT quantization
// (lib/scan/lut_quantizer.h bounds each group sum; the codec's per-vector factors scale it).
//
// push_to_heap() adds n (distance, id) pairs to a FAISS heap (faiss::CMax for L2, CMin for IP) of size
// k, skipping ids rejected by the selector; ids = null means ids first_id, first_id + 1, ...
//
// A CodeScorer is per thread (scratch buffers, prepared state); the codec and layout must outlive it.
// Errors: fast-scan on a codec without a 4-bit (resp. 8-bit) LUT form → StateError.
#pragma once

#include <faiss/Index.h>
#include <faiss/impl/IDSelector.h>

#include <memory>
#include <vector>

#include "lib/codecs/codec.h"
#include "lib/scan/fastscan_4bit.h"
#include "lib/scan/fastscan_8bit.h"
#include "lib/scan/topk_screen.h"

namespace ipaq {

// True if the codec's LUT form can run on the 4-bit fast-scan kernels.
bool codec_has_4bit_lut(const Codec& codec);

class CodeScorer {
 public:
  // layout: the packed layout used by distances_fastscan (null = 4-bit fast scan unused); layout8: the
  // one used by distances_fastscan8 (codecs with 8-bit LUTs; null = unused).
  CodeScorer(const Codec& codec, faiss::MetricType metric, const FastScanLayout* layout = nullptr,
             const FastScan8Layout* layout8 = nullptr);

  // q_codec: codec.dim() floats; offset: see above.
  void set_query(const float* q_codec, float offset);
  // Changes the offset only (IVF inner product: <q, c> per list, the prepared query stays).
  void set_offset(float offset) { offset_ = offset; }
  const QueryState& state() const { return *state_; }
  faiss::MetricType metric() const { return metric_; }

  // codes: n * code_size bytes; out: n distances. l2_terms (METRIC_L2 only, optional): n per-code
  // constants used instead of the stored norm, i.e. out = offset + l2_terms[i] - 2 est (IVF keeps
  // ||r||^2 + 2 <c, r̂> per entry there).
  void distances(size_t n, const uint8_t* codes, float* out, const float* l2_terms = nullptr);
  // packed: layout.packed_bytes(n) bytes of the same n vectors (block-aligned start); side: their side
  // bytes (Codec::lut_side_size() per vector: the per-vector factors), row i at side + i * side_stride —
  // a compact side array (stride = side size) or the row-major codes (side = codes +
  // lut_side_offset(), stride = code_size); out: n distances; l2_terms as above.
  void distances_fastscan(size_t n, const uint8_t* packed, const uint8_t* side, size_t side_stride, float* out,
                          const float* l2_terms = nullptr);
  // The same over 8-bit sub-codes packed by layout8 (lib/scan/fastscan_8bit.h).
  void distances_fastscan8(size_t n, const uint8_t* packed, const uint8_t* side, size_t side_stride, float* out,
                           const float* l2_terms = nullptr);

  template <class C>
  static size_t push_to_heap(size_t n, const float* dist, const faiss::Index::idx_t* ids,
                             faiss::Index::idx_t first_id, const faiss::IDSelector* sel, size_t k,
                             float* heap_dist, faiss::Index::idx_t* heap_ids);

  // push_to_heap for a run without a selector. While the heap is not full (a query's first run) the run
  // is screened first (lib/scan/topk_screen.h): only the positions that can still be in the heap after it
  // are pushed, in order — the same heap content with far fewer replacements (bge-m3 flat RaBitQ1, 500
  // vectors, k' = 20: 90 -> 25 per query). Returns the heap updates made.
  template <class C>
  static size_t push_run(size_t n, const float* dist, const faiss::Index::idx_t* ids, faiss::Index::idx_t first_id,
                         size_t k, float* heap_dist, faiss::Index::idx_t* heap_ids);

 private:
  // Codes are read for the stored norm only (METRIC_L2 without l2_terms): row i's side bytes at
  // side + i * side_stride, read by Codec::side_norm_sq, or null side = row-major codes (stored_norm_sq).
  void ip_to_distances(size_t n, const uint8_t* codes, const uint8_t* side, size_t side_stride,
                       const float* l2_terms, float* inout);
  void prepare_fastscan();
  void prepare_fastscan8();
  void resize_sums(size_t n);
  void finish(size_t n, const uint8_t* side, size_t side_stride, const float* l2_terms, float* out);

  const Codec& codec_;
  faiss::MetricType metric_;
  const FastScanLayout* layout_;
  const FastScan8Layout* layout8_;
  std::unique_ptr<QueryState> state_;
  float offset_ = 0.0f;
  bool fastscan_ready_ = false, fastscan8_ready_ = false;
  FastScan8Lut fastscan8_lut_;
  QuantizedLut quantized_;  // valid when fastscan_ready_
  FastScanLut fastscan_lut_;
  std::vector<uint32_t> int_sums_;
  std::vector<float> float_sums_;
  std::vector<float> norms_;  // stored norms of a run (METRIC_L2 over side bytes)
};

}  // namespace ipaq

#include <faiss/utils/Heap.h>

namespace ipaq {

template <class C>
size_t CodeScorer::push_to_heap(size_t n, const float* dist, const faiss::Index::idx_t* ids,
                                faiss::Index::idx_t first_id, const faiss::IDSelector* sel, size_t k,
                                float* heap_dist, faiss::Index::idx_t* heap_ids) {
  size_t updates = 0;
  auto push = [&](size_t i) {
    if (!C::cmp(heap_dist[0], dist[i])) return;
    const faiss::Index::idx_t id = ids ? ids[i] : first_id + static_cast<faiss::Index::idx_t>(i);  // read if needed
    if (sel && !sel->is_member(id)) return;
    faiss::heap_replace_top<C>(k, heap_dist, heap_ids, dist[i], id);
    ++updates;
  };
  // Chunks of 16 are screened branch-free against the heap's worst entry at the chunk's start (a bit
  // mask of the elements beating it), and only those elements are pushed, in order, each re-checked
  // against the then current worst entry: the elements skipped could not have entered (the threshold
  // only tightens), so the result equals pushing one by one, without an unpredictable branch per element.
  constexpr size_t kChunk = 16;
  size_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    const float top = heap_dist[0];
    uint32_t mask = 0;
    for (size_t j = 0; j < kChunk; ++j) mask |= static_cast<uint32_t>(C::cmp(top, dist[i + j])) << j;
    for (; mask != 0; mask &= mask - 1) push(i + static_cast<size_t>(__builtin_ctz(mask)));
  }
  for (; i < n; ++i) push(i);
  return updates;
}

template <class C>
size_t CodeScorer::push_run(size_t n, const float* dist, const faiss::Index::idx_t* ids, faiss::Index::idx_t first_id,
                            size_t k, float* heap_dist, faiss::Index::idx_t* heap_ids) {
  if (n <= 2 * k || heap_dist[0] != C::neutral()) {
    return push_to_heap<C>(n, dist, ids, first_id, nullptr, k, heap_dist, heap_ids);
  }
  thread_local std::vector<uint32_t> kept;
  thread_local std::vector<float> kept_dist, scratch;
  thread_local std::vector<faiss::Index::idx_t> kept_ids;
  kept.resize(n);
  const TopKOrder order = C::is_max ? TopKOrder::kSmallest : TopKOrder::kLargest;
  const size_t m = screen_topk_run(n, dist, k, order, heap_dist[0], kept.data(), scratch);
  kept_dist.resize(m);
  kept_ids.resize(m);
  for (size_t j = 0; j < m; ++j) {
    kept_dist[j] = dist[kept[j]];
    kept_ids[j] = ids ? ids[kept[j]] : first_id + static_cast<faiss::Index::idx_t>(kept[j]);
  }
  return push_to_heap<C>(m, kept_dist.data(), kept_ids.data(), 0, nullptr, k, heap_dist, heap_ids);
}

}  // namespace ipaq
