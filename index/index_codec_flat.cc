#include "index/index_codec_flat.h"

#include <faiss/impl/IDSelector.h>
#include <faiss/utils/Heap.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>

#include "index/code_scorer.h"
#include "index/index_checks.h"
#include "index/parallel_runs.h"
#include "lib/core/byte_stream.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/core/omp_exceptions.h"

namespace ipaq {

namespace {

constexpr const char* kType = "IndexCodecFlat";
// Vectors scored per run: a multiple of the fast-scan block (32), small enough for L1/L2-resident
// distance buffers.
constexpr size_t kRun = 1024;
// Below this many vectors per thread, a single query is not split across threads.
constexpr size_t kMinVectorsPerThread = 8192;

size_t code_size_of(const Codec& codec) { return codec.code_size(); }

}  // namespace

IndexCodecFlat::IndexCodecFlat(std::unique_ptr<Codec> codec, faiss::MetricType metric, bool center,
                               bool fastscan)
    : faiss::IndexFlatCodes(codec ? code_size_of(*codec) : 0, codec ? static_cast<idx_t>(codec->dim()) : 0,
                            metric),
      codec_(std::move(codec)),
      centered_(center) {
  IPAQ_CHECK_ARG(codec_ != nullptr, kType, ": null codec");
  IPAQ_CHECK_ARG(metric == faiss::METRIC_L2 || metric == faiss::METRIC_INNER_PRODUCT, kType,
                 ": metric must be L2 or INNER_PRODUCT, got ", static_cast<int>(metric));
  center_.assign(codec_->dim(), 0.0f);
  is_trained = codec_->is_trained() && !centered_;
  if (fastscan && codec_has_4bit_lut(*codec_)) {
    layout_ = std::make_unique<FastScanLayout>(codec_->lut_nsub(), codec_->lut_group_begin());
    side_size_ = codec_->lut_side_size();
  }
}

void IndexCodecFlat::set_query_workload(idx_t nq, const float* queries) {
  IPAQ_CHECK_ARG(nq >= 1 && queries != nullptr, kType, ": the query workload needs at least one query, got nq = ", nq);
  const size_t count = checked_mul(static_cast<size_t>(nq), static_cast<size_t>(d), "workload queries");
  codec_->set_query_workload(static_cast<size_t>(nq), static_cast<size_t>(d), queries);
  if (metric_type == faiss::METRIC_L2 && centered_) l2_workload_.assign(queries, queries + count);
}

void IndexCodecFlat::train(idx_t n, const float* x) {
  IPAQ_CHECK_ARG(n >= 1 && x != nullptr, kType, ": train needs at least one vector, got n = ", n);
  const size_t dd = static_cast<size_t>(d);
  check_vectors(x, static_cast<size_t>(n), dd, "training vectors");
  std::vector<float> residual;
  const float* train_x = x;
  if (centered_) {
    std::vector<double> sum(dd, 0.0);
    for (idx_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < dd; ++j) sum[j] += x[i * dd + j];
    }
    for (size_t j = 0; j < dd; ++j) center_[j] = static_cast<float>(sum[j] / static_cast<double>(n));
    residual.resize(static_cast<size_t>(n) * dd);
    for (idx_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < dd; ++j) residual[i * dd + j] = x[i * dd + j] - center_[j];
    }
    train_x = residual.data();
    center_trained_ = true;
    if (!l2_workload_.empty()) {
      // Under L2 the codec scores q - center (set_scorer_query), so that is the workload it weighs.
      for (size_t i = 0; i < l2_workload_.size(); ++i) l2_workload_[i] -= center_[i % dd];
      codec_->set_query_workload(l2_workload_.size() / dd, dd, l2_workload_.data());
      l2_workload_.clear();
    }
  }
  if (!codec_->is_trained()) codec_->train(static_cast<size_t>(n), train_x);
  is_trained = codec_->is_trained();
}

void IndexCodecFlat::set_trained_center(std::vector<float> center) {
  IPAQ_CHECK_ARG(center.size() == static_cast<size_t>(d), kType, ": center has ", center.size(),
                 " values, expected d = ", d);
  check_finite(center.data(), center.size(), "center");
  center_ = std::move(center);
  center_trained_ = centered_;
  is_trained = codec_->is_trained();
}

void IndexCodecFlat::sa_encode(idx_t n, const float* x, uint8_t* bytes) const {
  check_add_args(*this, kType, n, x);
  IPAQ_CHECK_ARG(n == 0 || bytes != nullptr, kType, ": null code array");
  const size_t dd = static_cast<size_t>(d);
  for_each_run(static_cast<size_t>(n), kRun, [&](size_t begin, size_t m) {
    std::vector<float> residual(m * dd);
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < dd; ++j) residual[i * dd + j] = x[(begin + i) * dd + j] - center_[j];
    }
    codec_->encode(m, residual.data(), bytes + begin * code_size);
  });
}

void IndexCodecFlat::sa_decode(idx_t n, const uint8_t* bytes, float* x) const {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || (bytes != nullptr && x != nullptr)), kType,
                 ": sa_decode needs n >= 0 and non-null arrays");
  IPAQ_CHECK(is_trained, StateError, kType, ": index is not trained");
  const size_t dd = static_cast<size_t>(d);
  codec_->decode(static_cast<size_t>(n), bytes, x);
  for (idx_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < dd; ++j) x[i * dd + j] += center_[j];
  }
}

void IndexCodecFlat::add(idx_t n, const float* x) {
  check_add_args(*this, kType, n, x);
  std::vector<uint8_t> new_codes(checked_mul(static_cast<size_t>(n), code_size, "codes"));
  sa_encode(n, x, new_codes.data());
  add_codes(n, new_codes.data());
}

void IndexCodecFlat::add_codes(idx_t n, const uint8_t* new_codes) {
  IPAQ_CHECK_ARG(n >= 0 && (n == 0 || new_codes != nullptr), kType, ": add_codes needs n >= 0 and codes");
  IPAQ_CHECK(is_trained, StateError, kType, ": index is not trained");
  const size_t old_n = static_cast<size_t>(ntotal);
  const size_t bytes = checked_mul(static_cast<size_t>(n), code_size, "codes");
  if (layout_) {
    const size_t total = old_n + static_cast<size_t>(n);
    const size_t packed_total = layout_->packed_bytes(total);
    const size_t side_total = checked_mul(total, side_size_, "side bytes");
    const AppendMark mark = mark_appends();
    try {  // a throw (allocation, a code the codec rejects) leaves both arrays consistent with ntotal
      packed_.resize(packed_total, 0);
      side_.resize(side_total);
      pack_range(old_n, static_cast<size_t>(n), new_codes);
    } catch (...) {
      undo_appends(mark);
      throw;
    }
  } else {
    codes.insert(codes.end(), new_codes, new_codes + bytes);  // at the end: no effect if it throws
  }
  ntotal += n;
}

IndexCodecFlat::AppendMark IndexCodecFlat::mark_appends() const {
  AppendMark mark;
  mark.ntotal = ntotal;
  const size_t n = static_cast<size_t>(ntotal);
  if (layout_ && n % FastScanLayout::kBlockSize != 0) {
    const size_t end = layout_->packed_bytes(n);
    mark.last_block.assign(packed_.begin() + static_cast<std::ptrdiff_t>(end - layout_->block_bytes()),
                           packed_.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return mark;
}

void IndexCodecFlat::undo_appends(const AppendMark& mark) noexcept {
  const size_t n = static_cast<size_t>(mark.ntotal);
  if (layout_) {
    packed_.resize(layout_->packed_bytes(n));
    const size_t tail = mark.last_block.size();  // 0 when n ends on a block boundary
    std::copy_n(mark.last_block.data(), tail, packed_.data() + packed_.size() - tail);
    side_.resize(n * side_size_);
  } else {
    codes.resize(n * code_size);
  }
  ntotal = mark.ntotal;
}

void IndexCodecFlat::reserve(idx_t n) {
  IPAQ_CHECK_ARG(n >= 0, kType, ": reserve needs n >= 0, got ", n);
  const size_t total = static_cast<size_t>(ntotal) + static_cast<size_t>(n);
  if (layout_) {
    packed_.reserve(layout_->packed_bytes(total));
    side_.reserve(checked_mul(total, side_size_, "side bytes"));
  } else {
    codes.reserve(checked_mul(total, code_size, "codes"));
  }
}

void IndexCodecFlat::pack_range(size_t first, size_t n, const uint8_t* range_codes) {
  // At most one block of sub-codes at a time (no n * nsub temporary): a first chunk up to the next block
  // boundary, then whole blocks.
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  std::vector<uint8_t> sub(kBlock * layout_->nsub());
  for (size_t b = 0; b < n;) {
    const size_t m = std::min(n - b, kBlock - (first + b) % kBlock);
    codec_->extract_sub_codes(m, range_codes + b * code_size, sub.data());
    pack_4bit_codes_at(*layout_, first + b, m, sub.data(), packed_.data());
    b += m;
  }
  const size_t side_offset = codec_->lut_side_offset();
  for (size_t i = 0; i < n; ++i) {
    std::copy_n(range_codes + i * code_size + side_offset, side_size_, side_.data() + (first + i) * side_size_);
  }
}

void IndexCodecFlat::read_codes(idx_t first, idx_t n, uint8_t* out) const {
  IPAQ_CHECK_ARG(first >= 0 && n >= 0 && first <= ntotal && n <= ntotal - first && (n == 0 || out != nullptr),
                 kType, ": read_codes of [", first, ", ", first, " + ", n, ") out of range [0, ", ntotal, ")");
  const size_t f = static_cast<size_t>(first), m = static_cast<size_t>(n);
  if (!layout_) {
    std::copy_n(codes.data() + f * code_size, m * code_size, out);
    return;
  }
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  std::vector<uint8_t> sub(kBlock * layout_->nsub());
  for (size_t b = 0; b < m;) {
    const size_t c = std::min(m - b, kBlock - (f + b) % kBlock);
    unpack_4bit_codes_at(*layout_, f + b, c, packed_.data(), sub.data());
    codec_->assemble_codes(c, sub.data(), side_.data() + (f + b) * side_size_, side_size_, out + b * code_size);
    b += c;
  }
}

void IndexCodecFlat::gather_codes(size_t n, const idx_t* labels, uint8_t* out) const {
  if (!layout_) {
    for (size_t i = 0; i < n; ++i) {
      std::copy_n(codes.data() + static_cast<size_t>(labels[i]) * code_size, code_size, out + i * code_size);
    }
    return;
  }
  std::vector<uint8_t> sub(layout_->nsub());  // one buffer for every candidate
  for (size_t i = 0; i < n; ++i) {
    const size_t v = static_cast<size_t>(labels[i]);
    unpack_4bit_codes_at(*layout_, v, 1, packed_.data(), sub.data());
    codec_->assemble_codes(1, sub.data(), side_.data() + v * side_size_, side_size_, out + i * code_size);
  }
}

double IndexCodecFlat::storage_bytes_per_vector() const {
  if (ntotal == 0) return 0.0;
  return static_cast<double>(codes.size() + packed_.size() + side_.size()) / static_cast<double>(ntotal);
}

void IndexCodecFlat::reset() {
  faiss::IndexFlatCodes::reset();
  packed_.clear();
  side_.clear();
}

void IndexCodecFlat::reconstruct(idx_t key, float* recons) const {
  IPAQ_CHECK_ARG(key >= 0 && key < ntotal, kType, ": reconstruct id ", key, " out of range [0, ", ntotal, ")");
  reconstruct_n(key, 1, recons);
}

void IndexCodecFlat::reconstruct_n(idx_t i0, idx_t ni, float* recons) const {
  IPAQ_CHECK_ARG(i0 >= 0 && ni >= 0 && i0 <= ntotal && ni <= ntotal - i0 && (ni == 0 || recons != nullptr), kType,
                 ": reconstruct_n of [", i0, ", ", i0, " + ", ni, ") out of range [0, ", ntotal, ")");
  const size_t dd = static_cast<size_t>(d);
  std::vector<uint8_t> run(std::min<size_t>(static_cast<size_t>(ni), kRun) * code_size);
  for (size_t b = 0; b < static_cast<size_t>(ni); b += kRun) {
    const size_t m = std::min(kRun, static_cast<size_t>(ni) - b);
    read_codes(i0 + static_cast<idx_t>(b), static_cast<idx_t>(m), run.data());
    sa_decode(static_cast<idx_t>(m), run.data(), recons + b * dd);
  }
}

faiss::FlatCodesDistanceComputer* IndexCodecFlat::get_FlatCodesDistanceComputer() const {
  throw StateError(format_message(kType, ": no FAISS distance computer (codes of ", codec_->descriptor(),
                                  " are scored by search(); use reconstruct() for vectors)"));
}

size_t IndexCodecFlat::remove_ids(const faiss::IDSelector& sel) {
  if (!layout_) return faiss::IndexFlatCodes::remove_ids(sel);
  const size_t n = static_cast<size_t>(ntotal);
  std::vector<uint8_t> keep(n);
  for (size_t i = 0; i < n; ++i) keep[i] = sel.is_member(static_cast<idx_t>(i)) ? 0 : 1;
  const size_t kept = compact_4bit_codes(*layout_, n, keep.data(), packed_.data());
  if (kept == n) return 0;
  for (size_t i = 0, j = 0; i < n; ++i) {
    if (keep[i] == 0) continue;
    if (i != j) std::memmove(side_.data() + j * side_size_, side_.data() + i * side_size_, side_size_);
    ++j;
  }
  packed_.resize(layout_->packed_bytes(kept));
  side_.resize(kept * side_size_);
  ntotal = static_cast<idx_t>(kept);
  return n - kept;
}

void IndexCodecFlat::merge_from(faiss::Index& other_index, idx_t add_id) {
  IPAQ_CHECK_ARG(add_id == 0, kType, ": merge_from supports add_id = 0 only (ids are positions)");
  auto* other = dynamic_cast<IndexCodecFlat*>(&other_index);
  IPAQ_CHECK_ARG(other != nullptr && other != this && other->d == d && other->metric_type == metric_type &&
                     other->codec_->descriptor() == codec_->descriptor() && other->code_size == code_size,
                 kType, ": merge_from needs another IndexCodecFlat with the same codec and metric");
  IPAQ_CHECK_ARG(other->is_trained == is_trained && other->center_ == center_, kType,
                 ": merge_from needs an index with the same center (trained on the same data)");
  IPAQ_CHECK_ARG(same_codec_state(*other->codec_, *codec_), kType, ": merge_from needs an index whose ",
                 codec_->descriptor(), " codec has the same trained state (codes of a codec trained on other "
                 "data or with another seed would decode wrongly)");
  // Through row-major codes one run at a time (either index may keep the packed form); all or nothing.
  const AppendMark mark = mark_appends();
  try {
    reserve(other->ntotal);
    copy_code_runs(
        static_cast<size_t>(other->ntotal), code_size,
        [&](size_t first, size_t m, uint8_t* run) {
          other->read_codes(static_cast<idx_t>(first), static_cast<idx_t>(m), run);
        },
        [&](size_t m, const uint8_t* run) { add_codes(static_cast<idx_t>(m), run); });
  } catch (...) {
    undo_appends(mark);
    throw;
  }
  other->reset();
}

bool same_codec_state(const Codec& a, const Codec& b) {
  if (&a == &b) return true;
  ByteWriter wa, wb;
  a.serialize(wa);
  b.serialize(wb);
  return wa.str() == wb.str();
}

namespace {
// Σ a[j] · b[j] in double over eight interleaved partial sums: one dependent chain of d additions cost
// ~1 µs per query at d = 1024 (index issue 4); the float result is the same to the last bit or two.
double dot_double8(const float* a, const float* b, size_t n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (size_t l = 0; l < 8; ++l) s[l] += static_cast<double>(a[j + l]) * b[j + l];
  }
  for (; j < n; ++j) s[0] += static_cast<double>(a[j]) * b[j];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
}  // namespace

void IndexCodecFlat::set_scorer_query(CodeScorer& scorer, const float* q, std::vector<float>& scratch) const {
  const size_t dd = static_cast<size_t>(d);
  if (metric_type == faiss::METRIC_INNER_PRODUCT) {
    scorer.set_query(q, static_cast<float>(dot_double8(q, center_.data(), dd)));
    return;
  }
  scratch.resize(dd);
  for (size_t j = 0; j < dd; ++j) scratch[j] = q[j] - center_[j];
  scorer.set_query(scratch.data(), static_cast<float>(dot_double8(scratch.data(), scratch.data(), dd)));
}

void IndexCodecFlat::score_run(CodeScorer& scorer, size_t begin, size_t m, float* dist) const {
  if (layout_) {
    scorer.distances_fastscan(m, packed_.data() + (begin / FastScanLayout::kBlockSize) * layout_->block_bytes(),
                              side_.data() + begin * side_size_, side_size_, dist);
  } else {
    scorer.distances(m, codes.data() + begin * code_size, dist);
  }
}

template <class C>
void IndexCodecFlat::scan_range(CodeScorer& scorer, size_t begin, size_t end, const faiss::IDSelector* sel,
                                size_t k, float* heap_dist, idx_t* heap_ids) const {
  thread_local std::vector<float> dist;
  dist.resize(kRun);
  for (size_t b = begin; b < end; b += kRun) {
    const size_t m = std::min(kRun, end - b);
    score_run(scorer, b, m, dist.data());
    if (sel != nullptr) {
      CodeScorer::push_to_heap<C>(m, dist.data(), nullptr, static_cast<idx_t>(b), sel, k, heap_dist, heap_ids);
    } else {
      CodeScorer::push_run<C>(m, dist.data(), nullptr, static_cast<idx_t>(b), k, heap_dist, heap_ids);
    }
  }
}

template <class C>
void IndexCodecFlat::search_impl(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                                 const faiss::IDSelector* sel) const {
  const size_t dd = static_cast<size_t>(d);
  const size_t kk = static_cast<size_t>(k);
  const size_t nb = static_cast<size_t>(ntotal);
  const int nthreads = omp_get_max_threads();
  OmpExceptionCarrier carrier;
  if (n >= nthreads || nb < kMinVectorsPerThread * 2) {
    // Parallel over queries, each query scans the whole database on one thread.
#pragma omp parallel if (n > 1)
    {
      CodeScorer scorer(*codec_, metric_type, layout_.get());
      std::vector<float> scratch;
#pragma omp for schedule(dynamic)
      for (idx_t qi = 0; qi < n; ++qi) {
        carrier.run([&] {
          float* hd = distances + qi * k;
          idx_t* hi = labels + qi * k;
          faiss::heap_heapify<C>(kk, hd, hi);
          set_scorer_query(scorer, x + qi * dd, scratch);
          scan_range<C>(scorer, 0, nb, sel, kk, hd, hi);
          faiss::heap_reorder<C>(kk, hd, hi);
        });
      }
    }
    carrier.rethrow();
    return;
  }
  // Few queries, large database: each query's database is split into run-aligned slices scanned in
  // parallel into per-slice heaps, merged on the calling thread.
  const size_t slice = ((nb + nthreads - 1) / nthreads + kRun - 1) / kRun * kRun;
  const int nslices = static_cast<int>((nb + slice - 1) / slice);
  std::vector<float> part_dist(static_cast<size_t>(nslices) * kk);
  std::vector<idx_t> part_ids(static_cast<size_t>(nslices) * kk);
  for (idx_t qi = 0; qi < n; ++qi) {
#pragma omp parallel
    {
      CodeScorer scorer(*codec_, metric_type, layout_.get());
      std::vector<float> scratch;
#pragma omp for schedule(static)
      for (int s = 0; s < nslices; ++s) {
        carrier.run([&] {
          float* hd = part_dist.data() + static_cast<size_t>(s) * kk;
          idx_t* hi = part_ids.data() + static_cast<size_t>(s) * kk;
          faiss::heap_heapify<C>(kk, hd, hi);
          set_scorer_query(scorer, x + qi * dd, scratch);
          scan_range<C>(scorer, static_cast<size_t>(s) * slice, std::min(nb, static_cast<size_t>(s + 1) * slice),
                        sel, kk, hd, hi);
        });
      }
    }
    carrier.rethrow();
    float* hd = distances + qi * k;
    idx_t* hi = labels + qi * k;
    faiss::heap_heapify<C>(kk, hd, hi);
    for (size_t j = 0; j < part_ids.size(); ++j) {
      if (part_ids[j] >= 0) CodeScorer::push_to_heap<C>(1, &part_dist[j], &part_ids[j], 0, nullptr, kk, hd, hi);
    }
    faiss::heap_reorder<C>(kk, hd, hi);
  }
}

void IndexCodecFlat::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                            const faiss::SearchParameters* params) const {
  check_search_args(*this, kType, n, x, k, distances, labels);
  const faiss::IDSelector* sel = params ? params->sel : nullptr;
  if (metric_type == faiss::METRIC_INNER_PRODUCT) {
    search_impl<faiss::CMin<float, idx_t>>(n, x, k, distances, labels, sel);
  } else {
    search_impl<faiss::CMax<float, idx_t>>(n, x, k, distances, labels, sel);
  }
}

bool IndexCodecFlat::score_bounds(const float* query, idx_t n, const idx_t* labels, float* estimate,
                                  float* bound) const {
  IPAQ_CHECK_ARG(n >= 0 && query != nullptr, kType, ": score_bounds needs a query and n >= 0");
  std::vector<uint8_t> cand(checked_mul(static_cast<size_t>(n), code_size, "candidate codes"));
  for (idx_t i = 0; i < n; ++i) {
    IPAQ_CHECK_ARG(labels[i] >= 0 && labels[i] < ntotal, kType, ": score_bounds label ", labels[i],
                   " out of range [0, ", ntotal, ")");
  }
  gather_codes(static_cast<size_t>(n), labels, cand.data());
  CodeScorer scorer(*codec_, metric_type);
  std::vector<float> scratch;
  set_scorer_query(scorer, query, scratch);
  if (!codec_->ip_error_bound(scorer.state(), static_cast<size_t>(n), cand.data(), bound)) return false;
  scorer.distances(static_cast<size_t>(n), cand.data(), estimate);
  if (metric_type == faiss::METRIC_L2) {
    for (idx_t i = 0; i < n; ++i) bound[i] *= 2.0f;
  }
  return true;
}

}  // namespace ipaq
