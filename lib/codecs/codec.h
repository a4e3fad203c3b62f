// Codec: the one interface behind which every ipaq quantizer lives (ASQ, TurboQuant, RaBitQ, EDEN,
// BlockSphere).
//
// A codec turns d-dimensional float vectors into fixed-size codes and estimates inner products between
// an unquantized query and coded vectors (asymmetric distance). It knows nothing of indexes, FAISS or
// RocksDB: the index layer (index/) owns code arrays, scans, heaps and rerank; the codec supplies
// "prepare a query" and "score codes".
//
// Array shapes: x is n * d floats, row-major; codes is n * code_size() bytes. A code holds everything
// needed to score and decode the vector, including every per-vector factor and norm, so code_size() is
// the true storage cost per vector.
//
// Contract:
//  - Determinism: the same descriptor, options (seed) and training data give the same parameters; a
//    vector's code depends only on the codec and the vector (stochastic rounding draws from a stream
//    seeded by the codec seed and the vector's bytes), never on its position in a batch or on threads.
//  - Errors: wrong dimension, non-finite input, calls before training, and foreign/corrupted
//    serialized bytes throw ipaq::Error subclasses (see lib/core/error.h). encode() validates input.
//  - Thread-safety: after training, all const methods may be called concurrently.
//
// LUT form (the fast-scan contract). Codecs whose estimate is a sum of table lookups expose it:
//     ip_est(q, x_i) = finish(i, S_i),  S_i[g] = Σ_{j in group g} lut[j][sub_code(i, j)]
// where sub-codes are `lut_bits()`-bit values (4 or 8), there are lut_nsub() of them per vector,
// partitioned into lut_groups() contiguous groups (most codecs: 1 group; TurboQuant_prod: 2, one for the
// MSE part and one for the QJL signs, each with its own per-vector scale). The index extracts the
// sub-codes once (extract_sub_codes), runs SIMD sums with uint8-quantized tables, then calls
// finish_lut_sums() which applies per-vector factors read from the codes. estimate_ip() is the scalar
// reference the SIMD path is tested against and must agree with finish_lut_sums() on exact float sums.
//
// Side bytes (LUT-form storage). A code splits at lut_side_offset(): bytes [0, lut_side_offset()) are
// fully determined by the sub-codes (extract_sub_codes reads only them), bytes [lut_side_offset(),
// code_size()) are the per-vector SIDE bytes (lut_side_size() of them: norms, scales). An index may
// therefore hold each vector once — sub-codes packed for the scan plus a compact side array — and
// rebuild the code with assemble_codes(), the exact inverse (byte-for-byte for every code encode()
// produces; bits that no sub-code covers, e.g. the padding nibble of an odd sub-code count, come back
// zero). finish_lut_sums() and side_norm_sq() read the side bytes from a strided array, so the row-major
// code array is the special case side = codes + lut_side_offset(), stride = code_size().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lib/core/byte_stream.h"
#include "lib/core/error.h"

namespace ipaq {

// Per-query precomputed state. Codecs derive from it to keep a rotated query and the like.
struct QueryState {
  virtual ~QueryState() = default;
  // ||q||^2 of the original (unrotated) query, for L2 distances.
  float query_norm_sq = 0.0f;
  // LUT form: lut_nsub() * (1 << lut_bits()) floats, row j = table of sub-code j. Empty if the codec has
  // no LUT form.
  std::vector<float> lut;
};

// Options shared by codec constructors.
struct CodecOptions {
  uint64_t seed = 1234;  // rotation and stochastic-rounding seed
};

class Codec {
 public:
  virtual ~Codec() = default;

  // The registry descriptor that recreates this codec, e.g. "TQ4", "BSQ2x4", "ASQ4".
  virtual std::string descriptor() const = 0;
  size_t dim() const { return d_; }
  // The options this codec was made with; serialize() stores them beside the descriptor.
  virtual CodecOptions options() const { return {}; }

  // Bytes per coded vector, including every per-vector factor and norm.
  virtual size_t code_size() const = 0;

  // Training on a sample (n * d). Codecs that need none are trained from construction.
  virtual bool is_trained() const { return true; }
  virtual void train(size_t n, const float* x) { (void)n; (void)x; }

  // Sample queries (nq × d floats) for a workload-weighted objective, given before train(): the codec
  // weighs each rotated coordinate by the queries' second moment there (ASQ's "w" variant). Throws
  // InvalidArgument for codecs without a weighted objective, d != dim(), nq == 0 or non-finite queries.
  virtual void set_query_workload(size_t nq, size_t d, const float* queries);
  // True if the codec has a workload-weighted objective (accepts set_query_workload; ASQ{b}w).
  virtual bool uses_query_workload() const { return false; }

  // x: n * d floats -> codes: n * code_size() bytes.
  virtual void encode(size_t n, const float* x, uint8_t* codes) const = 0;
  // codes: n * code_size() -> x: n * d floats (the vector the estimator sees; for unbiased codecs its
  // expectation is the input).
  virtual void decode(size_t n, const uint8_t* codes, float* x) const = 0;

  // q: d floats. The state is immutable afterwards and may be shared by threads.
  virtual std::unique_ptr<QueryState> prepare_query(const float* q) const = 0;

  // Scalar reference estimate of <q, x_i> for n codes (codes: n * code_size(), out: n floats).
  virtual void estimate_ip(const QueryState& qs, size_t n, const uint8_t* codes, float* out) const = 0;

  // ||x_i||^2 as stored in the code (for L2: ||q||^2 + ||x||^2 - 2 <q, x>).
  virtual float stored_norm_sq(const uint8_t* code) const = 0;

  // Optional per-estimate error bound: |ip_est - <q, x_i>| <= bound[i] with high probability
  // (RaBitQ). Codecs without one return false and leave `bound` untouched.
  virtual bool ip_error_bound(const QueryState& qs, size_t n, const uint8_t* codes, float* bound) const {
    (void)qs; (void)n; (void)codes; (void)bound;
    return false;
  }

  // ---- LUT form (optional; lut_bits() == 0 means none) ----
  virtual int lut_bits() const { return 0; }
  virtual size_t lut_nsub() const { return 0; }
  // Group boundaries: group g is sub-codes [lut_group_begin()[g], lut_group_begin()[g+1]); size =
  // lut_groups() + 1, first 0, last lut_nsub().
  virtual std::vector<size_t> lut_group_begin() const { return {0, lut_nsub()}; }
  size_t lut_groups() const { return lut_group_begin().size() - 1; }
  // codes: n * code_size() -> sub: n * lut_nsub() bytes (each < 2^lut_bits()).
  virtual void extract_sub_codes(size_t n, const uint8_t* codes, uint8_t* sub) const {
    (void)n; (void)codes; (void)sub;
  }
  // First side byte of a code (see "Side bytes" above); code_size() for codecs without a LUT form.
  virtual size_t lut_side_offset() const { return code_size(); }
  size_t lut_side_size() const { return code_size() - lut_side_offset(); }
  // sub: n * lut_nsub() sub-codes (each < 2^lut_bits()); side: n rows of lut_side_size() bytes, row i at
  // side + i * side_stride (side_stride >= lut_side_size()) -> codes: n * code_size() bytes. The inverse
  // of extract_sub_codes plus the side copy. Throws StateError for a codec without a LUT form,
  // InvalidArgument for a sub-code >= 2^lut_bits() or a stride below lut_side_size().
  virtual void assemble_codes(size_t n, const uint8_t* sub, const uint8_t* side, size_t side_stride,
                              uint8_t* codes) const {
    (void)n; (void)sub; (void)side; (void)side_stride; (void)codes;
    throw StateError(format_message("codec '", descriptor(), "' has no LUT form: its codes cannot be assembled"));
  }
  // sums: n * lut_groups() floats (group sums of the query LUT); side: the vectors' side bytes, row i at
  // side + i * side_stride -> out: n estimates of <q, x_i>.
  virtual void finish_lut_sums(const QueryState& qs, size_t n, const uint8_t* side, size_t side_stride,
                               const float* sums, float* out) const {
    (void)qs; (void)n; (void)side; (void)side_stride; (void)sums; (void)out;
  }
  // The same over row-major codes (n * code_size() bytes).
  void finish_lut_sums(const QueryState& qs, size_t n, const uint8_t* codes, const float* sums, float* out) const {
    finish_lut_sums(qs, n, codes + lut_side_offset(), code_size(), sums, out);
  }
  // stored_norm_sq() of a code, read from its side bytes (lut_side_size() bytes at `side`). Codecs with a
  // LUT form implement it; the default throws StateError.
  virtual float side_norm_sq(const uint8_t* side) const {
    (void)side;
    throw StateError(format_message("codec '", descriptor(), "' has no LUT form: no side bytes"));
  }
  // side_norm_sq of n rows (row i at side + i * side_stride) -> out: n floats; one call per run of a scan.
  virtual void side_norms_sq(size_t n, const uint8_t* side, size_t side_stride, float* out) const {
    for (size_t i = 0; i < n; ++i) out[i] = side_norm_sq(side + i * side_stride);
  }

  // Serializes every parameter (descriptor, d, seed, trained state); read back by deserialize_codec().
  void serialize(ByteWriter& w) const;

 protected:
  explicit Codec(size_t d) : d_(d) {}
  // Codec-specific payload after the common header written by serialize().
  virtual void serialize_payload(ByteWriter& w) const = 0;
  virtual void deserialize_payload(ByteReader& r) = 0;
  friend std::unique_ptr<Codec> deserialize_codec(ByteReader& r);

 private:
  size_t d_;
};

// Creates a codec from a descriptor (see lib/codecs/codec_registry.cc for the grammar). Throws
// InvalidArgument for an unknown or malformed descriptor or d == 0.
std::unique_ptr<Codec> make_codec(const std::string& descriptor, size_t d, const CodecOptions& options = {});

// True if `descriptor` names an ipaq codec (parseable by make_codec).
bool is_codec_descriptor(const std::string& descriptor);

// Reads what Codec::serialize wrote; throws FormatError on foreign, truncated or corrupted bytes.
std::unique_ptr<Codec> deserialize_codec(ByteReader& r);

}  // namespace ipaq
