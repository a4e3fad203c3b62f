// AVX-512 kernel of scan_4bit. One 64-byte load = two consecutive pairs (p, p+1) of the 32 vectors of a
// block; the tables for that load are the 64 contiguous bytes lo_tables[32p ..] = [row 2p, row 2p,
// row 2p+2, row 2p+2] (and hi_tables likewise), so a single vpshufb serves both pairs. A group with an
// odd number of pairs finishes with one 256-bit step into the lower half of the accumulators.
//
// Accumulation is the uint16 even/odd scheme of fastscan_4bit_avx2.cc, per 256-bit half: each half
// gets 2 terms (lo and hi nibble) per pair it sees, so a run of at most kPairsPerRun = 256 pairs gives
// each half at most 256 terms ≤ 255, exact in uint16, before widening to uint32.

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (GCC bug
// 105593); the warning is about the header, not this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "lib/scan/fastscan_4bit_kernels.h"
#include "lib/scan/fastscan_4bit_walk.h"

namespace ipaq::scan_detail {
namespace {

constexpr size_t kBlock = 32;

// uint16 words of the two 256-bit halves (same vectors, different pairs) -> their uint32 sum.
inline __m512i widen_halves_sum(__m512i words) {
  return _mm512_add_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(words)),
                          _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(words, 1)));
}

inline void lookup_add(__m512i codes, __m512i lo_table, __m512i hi_table, __m512i& mixed, __m512i& odd) {
  const __m512i nibble = _mm512_set1_epi8(0x0F);
  const __m512i t_lo = _mm512_shuffle_epi8(lo_table, _mm512_and_si512(codes, nibble));
  const __m512i t_hi = _mm512_shuffle_epi8(hi_table, _mm512_and_si512(_mm512_srli_epi16(codes, 4), nibble));
  mixed = _mm512_add_epi16(mixed, _mm512_add_epi16(t_lo, t_hi));
  odd = _mm512_add_epi16(odd, _mm512_add_epi16(_mm512_srli_epi16(t_lo, 8), _mm512_srli_epi16(t_hi, 8)));
}

inline __m512i load_half(const uint8_t* src) {  // 32 bytes, upper half zero
  return _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)));
}

struct Avx512Kernel {
  // uint32 sums of one block and group: x = [v0..7 | v16..23], y = [v8..15 | v24..31] (128-bit lanes
  // of 4 vectors: x = v0-3, v4-7, v16-19, v20-23; y = v8-11, v12-15, v24-27, v28-31).
  struct Sums {
    __m512i x;
    __m512i y;
  };
  static constexpr size_t kPairsPerRun = 256;
  static constexpr size_t kBlocksPerStep = 8;

  static Sums zero() { return {_mm512_setzero_si512(), _mm512_setzero_si512()}; }

  template <size_t NB>
  static void scan_run(const uint8_t* const* blocks, const uint8_t* lo_tables, const uint8_t* hi_tables,
                       size_t begin, size_t end, Sums* s) {
    __m512i mixed[NB], odd[NB];
    for (size_t k = 0; k < NB; ++k) mixed[k] = odd[k] = _mm512_setzero_si512();
    size_t p = begin;
    for (; p + 2 <= end; p += 2) {
      const __m512i lo_table = _mm512_loadu_si512(lo_tables + p * kBlock);
      const __m512i hi_table = _mm512_loadu_si512(hi_tables + p * kBlock);
#pragma GCC unroll 8
      for (size_t k = 0; k < NB; ++k) {
        lookup_add(_mm512_loadu_si512(blocks[k] + p * kBlock), lo_table, hi_table, mixed[k], odd[k]);
      }
    }
    if (p < end) {  // last pair alone: the upper half of every operand is zero and adds nothing
      const __m512i lo_table = load_half(lo_tables + p * kBlock);
      const __m512i hi_table = load_half(hi_tables + p * kBlock);
      for (size_t k = 0; k < NB; ++k) lookup_add(load_half(blocks[k] + p * kBlock), lo_table, hi_table, mixed[k], odd[k]);
    }
    for (size_t k = 0; k < NB; ++k) {
      const __m512i even = _mm512_sub_epi16(mixed[k], _mm512_slli_epi16(odd[k], 8));
      // Interleave even/odd words back into vector order inside each 128-bit lane:
      // lo = [v0-7 | v16-23] of half A then half B, hi = [v8-15 | v24-31] likewise.
      s[k].x = _mm512_add_epi32(s[k].x, widen_halves_sum(_mm512_unpacklo_epi16(even, odd[k])));
      s[k].y = _mm512_add_epi32(s[k].y, widen_halves_sum(_mm512_unpackhi_epi16(even, odd[k])));
    }
  }

  static void store(const Sums& s, size_t valid, size_t ngroups, size_t g, uint32_t* out) {
    // Reorder the 128-bit lanes into v0-15 and v16-31.
    const __m512i first = _mm512_shuffle_i64x2(s.x, s.y, _MM_SHUFFLE(1, 0, 1, 0));
    const __m512i second = _mm512_shuffle_i64x2(s.x, s.y, _MM_SHUFFLE(3, 2, 3, 2));
    if (ngroups == 1) {
      const auto mask = [](size_t count) {
        return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
      };
      _mm512_mask_storeu_epi32(out, mask(valid), first);
      _mm512_mask_storeu_epi32(out + 16, mask(valid > 16 ? valid - 16 : 0), second);
      return;
    }
    alignas(64) uint32_t tmp[kBlock];
    _mm512_store_si512(tmp, first);
    _mm512_store_si512(tmp + 16, second);
    for (size_t i = 0; i < valid; ++i) out[i * ngroups + g] = tmp[i];
  }
};

}  // namespace

void scan_4bit_avx512(const Scan4bitArgs& a) { walk_blocks<Avx512Kernel>(a); }

}  // namespace ipaq::scan_detail
