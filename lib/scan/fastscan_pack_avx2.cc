// AVX2 kernel of pack_4bit_codes_at: one block of 32 vectors in two passes.
//   1. Row pass: vector i's sub-codes become its npairs pair bytes lo | hi << 4 (row i of a 32-row
//      scratch whose stride is npairs rounded up to 16; padding columns and free lanes are zero).
//      Two sub-codes s, s' < 16 form the 16-bit word w = s | s' << 8, and the low byte of w | w >> 4 is
//      s | s' << 4: one shift, one or, then packus narrows 32 words to 32 pair bytes.
//   2. Transpose: a tile of 16 columns × 32 rows is loaded as 16 ymm registers, register r holding
//      row r in its low 128-bit lane and row r + 16 in its high lane. Four rounds of unpack (8, 16, 32,
//      64 bits; all within 128-bit lanes) transpose both 16×16 halves at once, so each register ends
//      as one 32-byte output row: pair c for vectors 0 .. 31.
// The scalar kernel (fastscan_layout.cc) is the reference; tests compare them byte for byte.
#include <immintrin.h>

#include "lib/scan/fastscan_pack_kernels.h"

namespace ipaq::scan_detail {
namespace {

constexpr size_t kBlock = 32;

// Pair bytes of one group: pairs = rows / 2 full pairs, then a lone last sub-code when rows is odd.
// Every sub-code read is or-ed into acc (vector part) or tail (scalar part), for the caller's check.
void pair_row(const uint8_t* in, size_t rows, uint8_t* out, __m256i& acc, uint8_t& tail) {
  const size_t pairs = rows / 2;
  const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
  size_t p = 0;
  for (; p + 32 <= pairs; p += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 2 * p));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 2 * p + 32));
    acc = _mm256_or_si256(acc, _mm256_or_si256(a, b));
    const __m256i wa = _mm256_and_si256(_mm256_or_si256(a, _mm256_srli_epi16(a, 4)), low_bytes);
    const __m256i wb = _mm256_and_si256(_mm256_or_si256(b, _mm256_srli_epi16(b, 4)), low_bytes);
    // packus interleaves the 128-bit lanes (a0 b0 a1 b1 in 64-bit units): reorder to a0 a1 b0 b1.
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(wa, wb), 0xD8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + p), packed);
  }
  for (; p < pairs; ++p) {
    tail |= in[2 * p] | in[2 * p + 1];
    out[p] = static_cast<uint8_t>(in[2 * p] | in[2 * p + 1] << 4);
  }
  if (rows % 2 != 0) {
    tail |= in[rows - 1];
    out[pairs] = in[rows - 1];
  }
}

// One round of the 16×16 transpose: register pairs (2i, 2i + 1) interleaved at kBits granularity, the
// low halves to out[i], the high halves to out[i + 8].
template <int kBits>
inline void unpack_round(const __m256i* in, __m256i* out) {
  for (size_t i = 0; i < 8; ++i) {
    const __m256i a = in[2 * i], b = in[2 * i + 1];
    if constexpr (kBits == 8) {
      out[i] = _mm256_unpacklo_epi8(a, b), out[i + 8] = _mm256_unpackhi_epi8(a, b);
    } else if constexpr (kBits == 16) {
      out[i] = _mm256_unpacklo_epi16(a, b), out[i + 8] = _mm256_unpackhi_epi16(a, b);
    } else if constexpr (kBits == 32) {
      out[i] = _mm256_unpacklo_epi32(a, b), out[i + 8] = _mm256_unpackhi_epi32(a, b);
    } else {
      out[i] = _mm256_unpacklo_epi64(a, b), out[i + 8] = _mm256_unpackhi_epi64(a, b);
    }
  }
}

}  // namespace

uint8_t pack_4bit_block_avx2(const Pack4bitBlockArgs& args) {
  const size_t npairs = args.pair_begin[args.ngroups];
  const size_t stride = (npairs + 15) / 16 * 16;
  uint8_t* scratch = args.scratch;
  __m256i acc = _mm256_setzero_si256();
  uint8_t tail = 0;
  // 1. Rows.
  for (size_t lane = 0; lane < kBlock; ++lane) {
    uint8_t* row = scratch + lane * stride;
    if (lane < args.m) {
      const uint8_t* v = args.sub + lane * args.nsub;
      for (size_t g = 0; g < args.ngroups; ++g) {
        pair_row(v + args.group_begin[g], args.group_begin[g + 1] - args.group_begin[g], row + args.pair_begin[g], acc, tail);
      }
      for (size_t c = npairs; c < stride; ++c) row[c] = 0;
    } else {
      for (size_t c = 0; c < stride; c += 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(row + c), _mm_setzero_si128());
    }
  }
  // 2. Transpose, 16 columns at a time. After the four rounds register k holds column kColumn[k].
  static constexpr size_t kColumn[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
  for (size_t c0 = 0; c0 < npairs; c0 += 16) {
    __m256i r[16], t[16];
    for (size_t i = 0; i < 16; ++i) {
      const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(scratch + i * stride + c0));
      const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(scratch + (i + 16) * stride + c0));
      r[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    }
    unpack_round<8>(r, t);
    unpack_round<16>(t, r);
    unpack_round<32>(r, t);
    unpack_round<64>(t, r);
    for (size_t k = 0; k < 16; ++k) {
      const size_t c = c0 + kColumn[k];
      if (c < npairs) _mm256_storeu_si256(reinterpret_cast<__m256i*>(args.block + c * kBlock), r[k]);
    }
  }
  // Sub-codes < 16 iff no byte of acc or tail has a high nibble bit.
  const __m256i high = _mm256_and_si256(acc, _mm256_set1_epi8(static_cast<char>(0xF0)));
  return static_cast<uint8_t>(tail | (_mm256_testz_si256(high, high) ? 0 : 0xF0));
}

}  // namespace ipaq::scan_detail
