// AVX-512 (VBMI) kernel of scan_8bit_quantized. One 64-byte load = one sub-code of the 64 vectors of a
// block. The 256-entry row is 4 registers T0..T3; vpermi2b(T0, code, T1) looks up entries 0-127 and
// vpermi2b(T2, code, T3) entries 128-255 (bits 0-6 of the code), and bit 7 of each code picks between
// them.
//
// Accumulation: the uint16 even/odd scheme of fastscan_4bit_avx2.cc (byte i = vector i; mixed += r,
// odd += r >> 8, even = mixed − 256·odd), one term per sub-code, so a run of at most kSubsPerRun = 256
// sub-codes is exact in uint16 (256 · 255 < 2^16) before widening to uint32.

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (GCC bug
// 105593); the warning is about the header, not this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "lib/scan/fastscan_8bit_kernels.h"

namespace ipaq::scan_detail {
namespace {

constexpr size_t kBlock = 64;
constexpr size_t kSubsPerRun = 256;

// uint32 sums of the 64 vectors of a block, in the lane order the widening produces:
// a = [v0-7 | v16-23], b = [v32-39 | v48-55], c = [v8-15 | v24-31], d = [v40-47 | v56-63].
struct BlockSums {
  __m512i a, b, c, d;
};

inline void scan_run(const uint8_t* block, const uint8_t* tables, size_t begin, size_t end, BlockSums& s) {
  __m512i mixed = _mm512_setzero_si512();
  __m512i odd = _mm512_setzero_si512();
  for (size_t sub = begin; sub < end; ++sub) {
    const __m512i codes = _mm512_loadu_si512(block + sub * kBlock);
    const uint8_t* row = tables + sub * 256;
    const __m512i low = _mm512_permutex2var_epi8(_mm512_loadu_si512(row), codes, _mm512_loadu_si512(row + 64));
    const __m512i high =
        _mm512_permutex2var_epi8(_mm512_loadu_si512(row + 128), codes, _mm512_loadu_si512(row + 192));
    const __m512i r = _mm512_mask_blend_epi8(_mm512_movepi8_mask(codes), low, high);
    mixed = _mm512_add_epi16(mixed, r);
    odd = _mm512_add_epi16(odd, _mm512_srli_epi16(r, 8));
  }
  const __m512i even = _mm512_sub_epi16(mixed, _mm512_slli_epi16(odd, 8));
  const __m512i lo = _mm512_unpacklo_epi16(even, odd);  // lanes: v0-7, v16-23, v32-39, v48-55
  const __m512i hi = _mm512_unpackhi_epi16(even, odd);  // lanes: v8-15, v24-31, v40-47, v56-63
  s.a = _mm512_add_epi32(s.a, _mm512_cvtepu16_epi32(_mm512_castsi512_si256(lo)));
  s.b = _mm512_add_epi32(s.b, _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(lo, 1)));
  s.c = _mm512_add_epi32(s.c, _mm512_cvtepu16_epi32(_mm512_castsi512_si256(hi)));
  s.d = _mm512_add_epi32(s.d, _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(hi, 1)));
}

inline void store_block(const BlockSums& s, size_t valid, size_t ngroups, size_t g, uint32_t* out) {
  alignas(64) uint32_t tmp[kBlock];
  _mm512_store_si512(tmp, _mm512_shuffle_i64x2(s.a, s.c, _MM_SHUFFLE(1, 0, 1, 0)));       // v0-15
  _mm512_store_si512(tmp + 16, _mm512_shuffle_i64x2(s.a, s.c, _MM_SHUFFLE(3, 2, 3, 2)));  // v16-31
  _mm512_store_si512(tmp + 32, _mm512_shuffle_i64x2(s.b, s.d, _MM_SHUFFLE(1, 0, 1, 0)));  // v32-47
  _mm512_store_si512(tmp + 48, _mm512_shuffle_i64x2(s.b, s.d, _MM_SHUFFLE(3, 2, 3, 2)));  // v48-63
  for (size_t i = 0; i < valid; ++i) out[i * ngroups + g] = tmp[i];
}

}  // namespace

void scan_8bit_packed_avx512(const Scan8bitPackedArgs& a) {
  const size_t nblocks = (a.n + kBlock - 1) / kBlock;
  for (size_t b = 0; b < nblocks; ++b) {
    const uint8_t* block = a.packed + b * a.nsub * kBlock;
    const size_t valid = a.n - b * kBlock < kBlock ? a.n - b * kBlock : kBlock;
    for (size_t g = 0; g < a.ngroups; ++g) {
      BlockSums s{_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
      for (size_t sub = a.group_begin[g]; sub < a.group_begin[g + 1]; sub += kSubsPerRun) {
        const size_t end = sub + kSubsPerRun < a.group_begin[g + 1] ? sub + kSubsPerRun : a.group_begin[g + 1];
        scan_run(block, a.tables, sub, end, s);
      }
      store_block(s, valid, a.ngroups, g, a.sums + b * kBlock * a.ngroups);
    }
  }
}

}  // namespace ipaq::scan_detail
