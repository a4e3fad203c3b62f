#include "lib/codecs/rotated_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "lib/codecs/bit_packing.h"
#include "lib/codecs/float16.h"
#include "lib/codecs/lut4_rows.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/core/omp_exceptions.h"

namespace ipaq {

namespace {

struct RotatedQueryState : QueryState {
  // ⟨q, μ⟩ for centered codecs, 0 otherwise.
  double center_ip = 0;
  // Per segment: the query in the segment's domain, R_g Π q (D floats).
  std::vector<std::vector<float>> domain_queries;
};

const RotatedQueryState& as_rotated(const QueryState& qs) {
  const auto* state = dynamic_cast<const RotatedQueryState*>(&qs);
  IPAQ_CHECK_ARG(state != nullptr, "query state was not prepared by a rotation codec");
  return *state;
}

// Seed of the stochastic-rounding stream of one vector: codec seed mixed with FNV-1a of its bytes, so a
// code never depends on the vector's position in a batch or on the thread that encodes it.
uint64_t vector_seed(uint64_t codec_seed, const float* x, size_t d) {
  // FNV-1a over 32-bit words (the float bit patterns), then mixed with the codec seed.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < d; ++i) {
    uint32_t word;
    std::memcpy(&word, x + i, sizeof word);
    h = (h ^ word) * 0x100000001b3ULL;
  }
  return derive_seed(codec_seed, h);
}

// norms[k] = float(sqrt(Σ_j y[k·D + j]²)), each sum in double in index order (as a plain loop per row),
// four rows interleaved so that their dependent addition chains overlap.
void block_norms(size_t m, size_t D, const float* y, float* norms) {
  size_t k = 0;
  for (; k + 4 <= m; k += 4) {
    const float *y0 = y + k * D, *y1 = y0 + D, *y2 = y1 + D, *y3 = y2 + D;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t j = 0; j < D; ++j) {
      s0 += static_cast<double>(y0[j]) * y0[j];
      s1 += static_cast<double>(y1[j]) * y1[j];
      s2 += static_cast<double>(y2[j]) * y2[j];
      s3 += static_cast<double>(y3[j]) * y3[j];
    }
    norms[k] = static_cast<float>(std::sqrt(s0));
    norms[k + 1] = static_cast<float>(std::sqrt(s1));
    norms[k + 2] = static_cast<float>(std::sqrt(s2));
    norms[k + 3] = static_cast<float>(std::sqrt(s3));
  }
  for (; k < m; ++k) {
    const float* yk = y + k * D;
    double s = 0;
    for (size_t j = 0; j < D; ++j) s += static_cast<double>(yk[j]) * yk[j];
    norms[k] = static_cast<float>(std::sqrt(s));
  }
}

double dot_double(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

float read_float(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

float per_vector_scale(ScaleRule rule, const float* u, const float* c, size_t n) {
  if (rule == ScaleRule::kUnit) return 1.0f;
  double uc = 0, uu = 0, cc = 0;
  for (size_t i = 0; i < n; ++i) {
    uc += static_cast<double>(u[i]) * c[i];
    uu += static_cast<double>(u[i]) * u[i];
    cc += static_cast<double>(c[i]) * c[i];
  }
  const double den = rule == ScaleRule::kUnbiased ? uc : cc;
  if (den == 0.0) return 0.0f;
  return static_cast<float>((rule == ScaleRule::kUnbiased ? uu : uc) / den);
}

size_t RotatedCodec::Segment::n_codebooks() const {
  return elems_per_codebook == 0 ? 1 : (n_elems + elems_per_codebook - 1) / elems_per_codebook;
}

const float* RotatedCodec::codebook_of(size_t g, const uint8_t* code, std::vector<float>& scratch) const {
  const Segment& s = segments_[g];
  if (!s.per_vector_codebook) return s.codebooks.data();
  scratch.resize(s.side_bytes / 2);
  for (size_t c = 0; c < scratch.size(); ++c) {
    uint16_t h;
    std::memcpy(&h, code + s.side_offset + 2 * c, sizeof h);
    scratch[c] = half_to_float(h);
    IPAQ_CHECK_FORMAT(std::isfinite(scratch[c]), spec_.text, ": code holds a non-finite per-vector codeword (foreign or corrupted code)");
  }
  return scratch.data();
}

const float* RotatedCodec::Segment::codeword(size_t elem, uint32_t index) const {
  const size_t book = elems_per_codebook == 0 ? 0 : elem / elems_per_codebook;
  return codebooks.data() + ((book << elem_bits) + index) * elem_dim;
}

RotatedCodec::RotatedCodec(const CodecSpec& spec, size_t d, const CodecOptions& options)
    : Codec(d), spec_(spec), seed_(options.seed), rotation_(make_rotation(spec.rotation, d, options.seed)) {
  segments_.reserve(4);
}

RotatedCodec::Segment& RotatedCodec::add_segment(size_t n_elems, size_t elem_dim, int elem_bits) {
  IPAQ_CHECK_ARG(elem_bits >= 1 && elem_bits <= 8, spec_.text, ": element bits ", elem_bits, " out of [1, 8]");
  IPAQ_CHECK_ARG(elem_dim >= 1 && n_elems * elem_dim == rotated_dim(), spec_.text, ": blocks of ", elem_dim,
                 " do not tile the rotated dimension ", rotated_dim());
  Segment& s = segments_.emplace_back();
  s.n_elems = n_elems;
  s.elem_dim = elem_dim;
  s.elem_bits = elem_bits;
  return s;
}

void RotatedCodec::finalize_layout() {
  lut_bits_ = 4;
  for (const Segment& s : segments_)
    if (4 % s.elem_bits != 0) lut_bits_ = 8;
  bool has_lut = true;
  for (const Segment& s : segments_) has_lut = has_lut && !s.per_vector_codebook;
  size_t offset = 0;
  lut_group_begin_ = {0};
  for (Segment& s : segments_) {
    s.elems_per_sub = std::max(1, lut_bits_ / s.elem_bits);
    s.n_sub = (s.n_elems + s.elems_per_sub - 1) / s.elems_per_sub;
    s.byte_offset = offset;
    s.n_bytes = packed_bytes(s.n_sub * s.elems_per_sub, s.elem_bits);
    offset += s.n_bytes;
    s.side_offset = offset;
    s.side_bytes = s.per_vector_codebook ? sizeof(uint16_t) * (s.elem_dim << s.elem_bits) : 0;
    offset += s.side_bytes;
    lut_group_begin_.push_back(lut_group_begin_.back() + s.n_sub);
  }
  if (!has_lut) {
    lut_bits_ = 0;
    lut_group_begin_ = {0, 0};
  }
  factors_offset_ = offset;
  code_size_ = offset + sizeof(float) * (1 + segments_.size());
}

bool RotatedCodec::is_trained() const {
  if (spec_.center && center_.size() != dim()) return false;
  for (const Segment& s : segments_)
    if (!s.per_vector_codebook && s.codebooks.size() != (s.n_codebooks() << s.elem_bits) * s.elem_dim) return false;
  return true;
}

void RotatedCodec::train(size_t n, const float* x) {
  IPAQ_CHECK_ARG(n > 0 && x != nullptr, spec_.text, ": train needs at least one vector");
  check_finite(x, checked_mul(n, dim(), "train: n * d"), "train: sample vectors");
  if (spec_.center) {
    std::vector<double> mean(dim(), 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < dim(); ++j) mean[j] += x[i * dim() + j];
    center_.resize(dim());
    for (size_t j = 0; j < dim(); ++j) center_[j] = static_cast<float>(mean[j] / n);
  }
  train_levels(n, x);
}

void RotatedCodec::rotate_centered(const float* x, float* y) const {
  if (center_.empty()) {
    rotation_->apply(x, y);
    return;
  }
  std::vector<float> residual(dim());
  for (size_t j = 0; j < dim(); ++j) residual[j] = x[j] - center_[j];
  rotation_->apply(residual.data(), y);
}

void RotatedCodec::check_trained(const char* what) const {
  IPAQ_CHECK(is_trained(), StateError, spec_.text, ": ", what, " called before train()");
}

float RotatedCodec::stored_norm(const uint8_t* code) const { return read_float(code + factors_offset_); }

float RotatedCodec::stored_scale(const uint8_t* code, size_t g) const {
  return read_float(code + factors_offset_ + sizeof(float) * (1 + g));
}

float RotatedCodec::stored_norm_sq(const uint8_t* code) const {
  const float norm = stored_norm(code);
  return norm * norm;
}

float RotatedCodec::side_norm_sq(const uint8_t* side) const {
  float norm_sq = 0.0f;
  side_norms_sq(1, side, 0, &norm_sq);
  return norm_sq;
}

void RotatedCodec::side_norms_sq(size_t n, const uint8_t* side, size_t side_stride, float* out) const {
  IPAQ_CHECK(lut_bits_ != 0, StateError, spec_.text, ": no LUT form, so no side bytes");
  for (size_t i = 0; i < n; ++i) {
    const float norm = read_float(side + i * side_stride);  // the side bytes start at the factors: ‖x‖ first
    out[i] = norm * norm;
  }
}

void RotatedCodec::quantize_block(size_t m, const float* u, Rng* rngs, Quantized* q) const {
  for (size_t v = 0; v < m; ++v) quantize(u + v * rotated_dim(), rngs[v], q[v]);
}

void RotatedCodec::encode(size_t n, const float* x, uint8_t* codes) const {
  check_trained("encode");
  if (n == 0) return;
  IPAQ_CHECK_ARG(x != nullptr && codes != nullptr, spec_.text, ": encode got a null array");
  // NaN/Inf inputs: with the randomized Hadamard rotation every rotated coordinate is a ±1 combination of
  // all input coordinates, so a non-finite input makes the rotated norm non-finite; only such rows are
  // then checked (and reported). A dense rotation may have exact zeros: the input is checked up front.
  const bool norm_flags_nonfinite = rotation_->kind() == RotationKind::kHadamard;
  const size_t total = checked_mul(n, dim(), "encode: n * d");
  if (!norm_flags_nonfinite) check_finite(x, total, "encode: input vectors");
  const size_t d = dim(), D = rotated_dim(), cs = code_size_, B = kQuantizeBlock;
  const int64_t n_blocks = static_cast<int64_t>((n + B - 1) / B);
  const bool uses_rng = quantize_uses_rng();
  OmpExceptionCarrier carrier;
  // Small batches run on the calling thread: a parallel region costs more than it saves (and much more
  // on a loaded machine). Vectors go to quantize_block() in blocks of up to B non-zero rows.
#pragma omp parallel if (n >= 64)
  {
    std::vector<float> y(B * D), norms(B);
    std::vector<Quantized> q(B);
    for (Quantized& qv : q) {
      qv.scales.resize(segments_.size());
      for (const Segment& s : segments_) {
        qv.fields.emplace_back(s.n_sub * s.elems_per_sub, 0);
        qv.codebooks.emplace_back(s.per_vector_codebook ? s.side_bytes / 2 : 0, 0.0f);
      }
    }
    std::vector<Rng> rngs;
    std::vector<size_t> rows;  // block row -> vector index
#pragma omp for schedule(static)
    for (int64_t block = 0; block < n_blocks; ++block) {
      carrier.run([&] {
        const size_t first = static_cast<size_t>(block) * B, m = std::min(B, n - first);
        rngs.clear();
        rows.clear();
        for (size_t k = 0; k < m; ++k) rotate_centered(x + (first + k) * d, y.data() + k * D);
        block_norms(m, D, y.data(), norms.data());
        for (size_t k = 0; k < m; ++k)
          if (norm_flags_nonfinite && !std::isfinite(norms[k]))  // NaN/Inf input, or a finite overflow
            check_finite(x + (first + k) * d, d,
                         ("encode: input vector " + std::to_string(first + k)).c_str());
        for (size_t k = 0; k < m; ++k) {
          const float* xi = x + (first + k) * d;
          Quantized& qr = q[k];
          for (auto& f : qr.fields) std::fill(f.begin(), f.end(), 0);
          for (auto& c : qr.codebooks) std::fill(c.begin(), c.end(), 0.0f);
          std::fill(qr.scales.begin(), qr.scales.end(), 0.0f);
          if (norms[k] > 0) {  // zero vectors are not quantized: all fields and factors 0
            // Non-zero rows are packed to the front of y (row r <= k; a later row never overwrites it).
            const size_t r = rows.size();
            float* yr = y.data() + r * D;
            const float* yk = y.data() + k * D;
            for (size_t j = 0; j < D; ++j) yr[j] = yk[j] / norms[k];
            rngs.emplace_back(uses_rng ? vector_seed(seed_, xi, d) : 0);
            rows.push_back(k);
          }
        }
        // quantize_block writes row r's result into q[rows[r]]: gather the non-zero rows' states.
        std::vector<Quantized> gathered;
        if (rows.size() == m) {
          quantize_block(m, y.data(), rngs.data(), q.data());
        } else if (!rows.empty()) {
          for (size_t r : rows) gathered.push_back(std::move(q[r]));
          quantize_block(rows.size(), y.data(), rngs.data(), gathered.data());
          for (size_t r = 0; r < rows.size(); ++r) q[rows[r]] = std::move(gathered[r]);
        }
        for (size_t k = 0; k < m; ++k) {
          const size_t i = first + k;
          const float* xi = x + i * d;
          uint8_t* code = codes + i * cs;
          const float norm = norms[k];
          for (size_t g = 0; g < segments_.size(); ++g) {
            const Segment& s = segments_[g];
            pack_fields(q[k].fields[g].data(), s.n_sub * s.elems_per_sub, s.elem_bits, code + s.byte_offset);
            for (size_t c = 0; c < q[k].codebooks[g].size(); ++c) {  // per-vector codebook as float16
              const uint16_t h = float_to_half(q[k].codebooks[g][c]);
              std::memcpy(code + s.side_offset + 2 * c, &h, sizeof h);
            }
            const float scale = q[k].scales[g] * norm;
            std::memcpy(code + factors_offset_ + sizeof(float) * (1 + g), &scale, sizeof scale);
          }
          const float input_norm =
              center_.empty() ? norm : static_cast<float>(std::sqrt(dot_double(xi, xi, d)));
          std::memcpy(code + factors_offset_, &input_norm, sizeof input_norm);
        }
      });
    }
  }
  carrier.rethrow();
}

void RotatedCodec::segment_codewords(size_t g, const uint8_t* code, const uint16_t* fields, float* c) const {
  const Segment& s = segments_[g];
  std::vector<float> scratch;
  const float* own = s.per_vector_codebook ? codebook_of(g, code, scratch) : nullptr;
  for (size_t e = 0; e < s.n_elems; ++e) {
    const float* w = own != nullptr ? own + fields[e] * s.elem_dim : s.codeword(e, fields[e]);
    for (size_t k = 0; k < s.elem_dim; ++k) c[e * s.elem_dim + k] = w[k];
  }
}

void RotatedCodec::decode(size_t n, const uint8_t* codes, float* x) const {
  check_trained("decode");
  const size_t D = rotated_dim();
  std::vector<float> acc(D), c(D), back(D);
  std::vector<uint16_t> fields;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_size_;
    std::fill(acc.begin(), acc.end(), 0.0f);
    IPAQ_CHECK_FORMAT(std::isfinite(stored_norm(code)) && stored_norm(code) >= 0, spec_.text, ": code ", i,
                      " holds an invalid norm (foreign or corrupted code)");
    for (size_t g = 0; g < segments_.size(); ++g) {
      const Segment& s = segments_[g];
      const float scale = stored_scale(code, g);
      IPAQ_CHECK_FORMAT(std::isfinite(scale), spec_.text, ": code ", i,
                        " holds a non-finite scale (foreign or corrupted code)");
      fields.resize(s.n_elems);
      unpack_fields(code + s.byte_offset, s.n_elems, s.elem_bits, fields.data());
      segment_codewords(g, code, fields.data(), c.data());
      const float* v = c.data();
      if (s.domain) {
        s.domain->apply_transpose(c.data(), back.data());
        v = back.data();
      }
      for (size_t j = 0; j < D; ++j) acc[j] += scale * v[j];
    }
    float* xi = x + i * dim();
    rotation_->apply_transpose(acc.data(), xi);
    for (size_t j = 0; j < center_.size(); ++j) xi[j] += center_[j];
  }
}

std::unique_ptr<QueryState> RotatedCodec::prepare_query(const float* q) const {
  check_trained("prepare_query");
  IPAQ_CHECK_ARG(q != nullptr, spec_.text, ": prepare_query got a null query");
  auto state = std::make_unique<RotatedQueryState>();
  // ||q||² in double over four interleaved partial sums (one dependent chain of d additions cost ~1 µs
  // at d = 1024, issue 4). A non-finite entry makes the sum non-finite (squares of finite floats cannot
  // overflow a double), so the finiteness check is this sum's; check_finite then names the entry.
  const size_t d = dim();
  double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
  size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    p0 += static_cast<double>(q[j]) * q[j];
    p1 += static_cast<double>(q[j + 1]) * q[j + 1];
    p2 += static_cast<double>(q[j + 2]) * q[j + 2];
    p3 += static_cast<double>(q[j + 3]) * q[j + 3];
  }
  for (; j < d; ++j) p0 += static_cast<double>(q[j]) * q[j];
  const double norm_sq = (p0 + p1) + (p2 + p3);
  if (!std::isfinite(norm_sq)) check_finite(q, d, "prepare_query: query");
  state->query_norm_sq = static_cast<float>(norm_sq);
  if (!center_.empty()) state->center_ip = dot_double(q, center_.data(), dim());
  // Rotated once, straight into the first segment without a domain rotation (no copy).
  state->domain_queries.resize(segments_.size());
  std::vector<float> y(rotated_dim());
  rotation_->apply(q, y.data());
  size_t y_owner = segments_.size();  // the segment that took y (moved), if any
  for (size_t g = 0; g < segments_.size(); ++g) {
    if (segments_[g].domain || y_owner < segments_.size()) continue;
    y_owner = g;
  }
  for (size_t g = 0; g < segments_.size(); ++g) {
    if (g == y_owner) continue;
    std::vector<float>& dq = state->domain_queries[g];
    dq.resize(rotated_dim());
    if (segments_[g].domain) {
      segments_[g].domain->apply(y.data(), dq.data());
    } else {
      dq = y;
    }
  }
  if (y_owner < segments_.size()) state->domain_queries[y_owner] = std::move(y);
  build_lut(state->domain_queries, state->lut);
  return state;
}

void RotatedCodec::build_lut(const std::vector<std::vector<float>>& domain_queries,
                             std::vector<float>& lut) const {
  if (lut_bits_ == 0) return;  // per-vector codebooks: estimate_ip only
  const size_t entries = size_t{1} << lut_bits_;
  lut.assign(lut_nsub() * entries, 0.0f);
  std::vector<float> elem_table;
  std::vector<double> acc;
  for (size_t g = 0; g < segments_.size(); ++g) {
    const Segment& s = segments_[g];
    const size_t codewords = size_t{1} << s.elem_bits;
    const float* qg = domain_queries[g].data();
    // SIMD rows (lib/codecs/lut4_rows.h: the same values as the reference below, tested at every level):
    // 4-bit LUTs of single-coordinate elements, whole sub-codes whose elements share one codebook.
    size_t first_ref_row = 0;
    if (lut_bits_ == 4 && s.elem_dim == 1 && s.elems_per_sub * static_cast<size_t>(s.elem_bits) == 4 &&
        (s.elems_per_codebook == 0 || s.elems_per_codebook % s.elems_per_sub == 0) && lut4_rows_simd_available()) {
      first_ref_row = std::min(s.n_sub, s.n_elems / s.elems_per_sub);
      build_lut4_rows_simd(s.elem_bits, first_ref_row, qg, s.codebooks.data(),
                           s.elems_per_codebook / s.elems_per_sub, lut.data() + lut_group_begin_[g] * entries);
      if (first_ref_row == s.n_sub) continue;
    }
    // elem_table[e][c] = <q block e, codeword c of element e>.
    elem_table.assign(s.n_elems * codewords, 0.0f);
    for (size_t e = first_ref_row * s.elems_per_sub; e < s.n_elems; ++e) {
      // = s.codeword(e, c), inlined (an exported member is not inlinable under -fPIC).
      const size_t book = s.elems_per_codebook == 0 ? 0 : e / s.elems_per_codebook;
      const float* words = s.codebooks.data() + (book << s.elem_bits) * s.elem_dim;
      for (size_t c = 0; c < codewords; ++c) {
        const float* w = words + c * s.elem_dim;
        double dot = 0;
        for (size_t k = 0; k < s.elem_dim; ++k) dot += static_cast<double>(qg[e * s.elem_dim + k]) * w[k];
        elem_table[e * codewords + c] = static_cast<float>(dot);
      }
    }
    // A sub-code value v packs elems_per_sub indexes of elem_bits each (LSB-first); values that need more
    // bits than the sub-code holds never occur and keep 0.
    // Built by doubling (index issue 4: per-query cost): after element t, acc[v] for v < codewords^(t+1)
    // is the sum over elements 0..t in that order, so every entry is the same double sum as adding the
    // elements one by one.
    const size_t used_values = size_t{1} << (s.elems_per_sub * s.elem_bits);
    acc.resize(used_values);
    for (size_t j = first_ref_row; j < s.n_sub; ++j) {
      float* row = lut.data() + (lut_group_begin_[g] + j) * entries;
      if (codewords == 2 && s.elems_per_sub == 4 && (j + 1) * 4 <= s.n_elems) {
        // 1-bit elements, 4 per sub-code (RaBitQ1, TQ1, EDEN1): the same sums in the same order, unrolled.
        const float* t = elem_table.data() + j * 8;
        for (size_t v = 0; v < 16; ++v) {
          row[v] = static_cast<float>(((static_cast<double>(t[v & 1]) + t[2 + ((v >> 1) & 1)]) + t[4 + ((v >> 2) & 1)]) +
                                      t[6 + ((v >> 3) & 1)]);
        }
        continue;
      }
      acc[0] = 0.0;
      size_t filled = 1;
      for (size_t t = 0; t < s.elems_per_sub; ++t) {
        const size_t e = j * s.elems_per_sub + t;
        const float* te = e < s.n_elems ? elem_table.data() + e * codewords : nullptr;
        for (size_t c = codewords - 1; c >= 1; --c) {
          for (size_t v = 0; v < filled; ++v) acc[c * filled + v] = te ? acc[v] + te[c] : acc[v];
        }
        if (te) {
          for (size_t v = 0; v < filled; ++v) acc[v] += te[0];
        }
        filled *= codewords;
      }
      for (size_t v = 0; v < used_values; ++v) row[v] = static_cast<float>(acc[v]);
    }
  }
}

void RotatedCodec::estimate_ip(const QueryState& qs, size_t n, const uint8_t* codes, float* out) const {
  const RotatedQueryState& state = as_rotated(qs);
  std::vector<uint16_t> fields;
  std::vector<float> scratch;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_size_;
    double est = state.center_ip;
    for (size_t g = 0; g < segments_.size(); ++g) {
      const Segment& s = segments_[g];
      const float* qg = state.domain_queries[g].data();
      fields.resize(s.n_elems);
      unpack_fields(code + s.byte_offset, s.n_elems, s.elem_bits, fields.data());
      const float* own = s.per_vector_codebook ? codebook_of(g, code, scratch) : nullptr;
      double dot = 0;
      for (size_t e = 0; e < s.n_elems; ++e) {
        const float* w = own != nullptr ? own + fields[e] * s.elem_dim : s.codeword(e, fields[e]);
        for (size_t k = 0; k < s.elem_dim; ++k) dot += static_cast<double>(qg[e * s.elem_dim + k]) * w[k];
      }
      est += stored_scale(code, g) * dot;
    }
    out[i] = static_cast<float>(est);
  }
}

void RotatedCodec::extract_sub_codes(size_t n, const uint8_t* codes, uint8_t* sub) const {
  const size_t nsub = lut_nsub();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_size_;
    uint8_t* out = sub + i * nsub;
    for (size_t g = 0; g < segments_.size(); ++g) {
      const Segment& s = segments_[g];
      const int width = static_cast<int>(s.elems_per_sub) * s.elem_bits;
      const uint8_t* fields = code + s.byte_offset;
      uint8_t* group = out + lut_group_begin_[g];
      if (width == 4) {
        // Fast path (every 4-bit LUT codec): sub-code j is nibble j of the segment, low nibble first.
        const size_t pairs = s.n_sub / 2;
        for (size_t p = 0; p < pairs; ++p) {
          group[2 * p] = fields[p] & 0x0F;
          group[2 * p + 1] = fields[p] >> 4;
        }
        if (s.n_sub % 2 != 0) group[s.n_sub - 1] = fields[pairs] & 0x0F;
        continue;
      }
      for (size_t j = 0; j < s.n_sub; ++j)
        group[j] = static_cast<uint8_t>(read_bit_field(fields, j * width, width));
    }
  }
}

void RotatedCodec::assemble_codes(size_t n, const uint8_t* sub, const uint8_t* side, size_t side_stride,
                                  uint8_t* codes) const {
  IPAQ_CHECK(lut_bits_ != 0, StateError, spec_.text, ": no LUT form, its codes cannot be assembled from sub-codes");
  const size_t side_size = code_size_ - factors_offset_;
  IPAQ_CHECK_ARG(n == 0 || side_stride >= side_size, spec_.text, ": assemble_codes side stride ", side_stride,
                 " is below the ", side_size, " side bytes");
  const size_t nsub = lut_nsub();
  // Segment by segment (each has one sub-code width), then the side bytes.
  for (size_t g = 0; g < segments_.size(); ++g) {
    const Segment& s = segments_[g];
    const int width = static_cast<int>(s.elems_per_sub) * s.elem_bits;
    uint8_t any = 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < s.n_sub; ++j) any |= sub[i * nsub + lut_group_begin_[g] + j];
    if (width < 8 && (any >> width) != 0) {  // name the first offending sub-code
      for (size_t i = 0; i < n; ++i)
        for (size_t j = lut_group_begin_[g]; j < lut_group_begin_[g + 1]; ++j)
          IPAQ_CHECK_ARG((sub[i * nsub + j] >> width) == 0, spec_.text, ": assemble_codes: sub-code ", j, " of vector ",
                         i, " is ", int{sub[i * nsub + j]}, ", wider than ", width, " bits");
    }
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* group = sub + i * nsub + lut_group_begin_[g];
      uint8_t* fields = codes + i * code_size_ + s.byte_offset;
      if (width == 4) {  // the inverse of extract_sub_codes' fast path: nibble j, low nibble first
        const size_t pairs = s.n_sub / 2;
        for (size_t p = 0; p < pairs; ++p) fields[p] = static_cast<uint8_t>(group[2 * p] | group[2 * p + 1] << 4);
        if (s.n_sub % 2 != 0) fields[pairs] = group[s.n_sub - 1];
        continue;
      }
      std::memset(fields, 0, s.n_bytes);
      for (size_t j = 0; j < s.n_sub; ++j) {  // LSB-first, as pack_fields: a field spans at most 2 bytes
        const size_t bit = j * static_cast<size_t>(width);
        const uint32_t v = static_cast<uint32_t>(group[j]) << (bit % 8);
        fields[bit / 8] |= static_cast<uint8_t>(v);
        if ((v >> 8) != 0) fields[bit / 8 + 1] |= static_cast<uint8_t>(v >> 8);
      }
    }
  }
  for (size_t i = 0; i < n; ++i) std::memcpy(codes + i * code_size_ + factors_offset_, side + i * side_stride, side_size);
}

void RotatedCodec::finish_lut_sums(const QueryState& qs, size_t n, const uint8_t* side, size_t side_stride,
                                   const float* sums, float* out) const {
  const double center_ip = as_rotated(qs).center_ip;
  const size_t groups = segments_.size();
  // The scales are read in place (read_float, inlined): a call per vector to the exported stored_scale()
  // cannot be inlined under -fPIC and cost the index scan ~5 ns per vector (index issue 4).
  const uint8_t* scales = side + sizeof(float);  // the side bytes start at ‖x‖, then s_0 ...
  if (groups == 1) {  // every codec but TurboQuant_prod: one scale per vector
    for (size_t i = 0; i < n; ++i)
      out[i] = static_cast<float>(center_ip + static_cast<double>(read_float(scales + i * side_stride)) * sums[i]);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* s = scales + i * side_stride;
    double est = center_ip;
    for (size_t g = 0; g < groups; ++g) {
      est += static_cast<double>(read_float(s + sizeof(float) * g)) * sums[i * groups + g];
    }
    out[i] = static_cast<float>(est);
  }
}

void RotatedCodec::serialize_payload(ByteWriter& w) const {
  rotation_->serialize(w);
  w.put<uint32_t>(static_cast<uint32_t>(segments_.size()));
  for (const Segment& s : segments_) {
    w.put_vector(s.codebooks);
    w.put<uint8_t>(s.domain ? 1 : 0);
    if (s.domain) s.domain->serialize(w);
  }
  w.put_vector(center_);
  serialize_extra(w);
}

void RotatedCodec::deserialize_payload(ByteReader& r) {
  auto rotation = deserialize_rotation(r);
  IPAQ_CHECK_FORMAT(rotation->dim() == dim() && rotation->rotated_dim() == rotated_dim() &&
                        rotation->kind() == rotation_->kind(),
                    r.context(), ": ", spec_.text, ": serialized rotation does not match the descriptor");
  rotation_ = std::move(rotation);
  const uint32_t n_segments = r.get<uint32_t>();
  IPAQ_CHECK_FORMAT(n_segments == segments_.size(), r.context(), ": ", spec_.text, ": ", n_segments,
                    " segments serialized, expected ", segments_.size());
  for (Segment& s : segments_) {
    std::vector<float> books = r.get_vector<float>();
    const size_t expected = (s.n_codebooks() << s.elem_bits) * s.elem_dim;
    IPAQ_CHECK_FORMAT(books.empty() || books.size() == expected, r.context(), ": ", spec_.text, ": codebook of ",
                      books.size(), " floats, expected ", expected);
    for (float v : books)
      IPAQ_CHECK_FORMAT(std::isfinite(v), r.context(), ": ", spec_.text, ": non-finite codebook value");
    s.codebooks = std::move(books);
    const bool has_domain = r.get<uint8_t>() != 0;
    IPAQ_CHECK_FORMAT(has_domain == static_cast<bool>(s.domain), r.context(), ": ", spec_.text,
                      ": segment domain rotation mismatch");
    if (has_domain) {
      auto domain = deserialize_rotation(r);
      IPAQ_CHECK_FORMAT(domain->dim() == rotated_dim() && domain->rotated_dim() == rotated_dim() &&
                            domain->kind() == s.domain->kind(),
                        r.context(), ": ", spec_.text, ": segment rotation has the wrong dimension or kind");
      s.domain = std::move(domain);
    }
  }
  std::vector<float> center = r.get_vector<float>();
  IPAQ_CHECK_FORMAT(center.empty() || (spec_.center && center.size() == dim()), r.context(), ": ", spec_.text,
                    ": serialized center of ", center.size(), " floats does not match the descriptor");
  for (float v : center) IPAQ_CHECK_FORMAT(std::isfinite(v), r.context(), ": ", spec_.text, ": non-finite center");
  center_ = std::move(center);
  deserialize_extra(r);
  on_codebooks_changed();
}

}  // namespace ipaq
