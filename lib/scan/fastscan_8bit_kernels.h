// Internal: the per-ISA kernels behind scan_8bit_quantized (fastscan_8bit.h). Not part of the public
// API. Same rules as fastscan_4bit_kernels.h: plain pointers only, validated by the caller, never throw.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq::scan_detail {

struct Scan8bitPackedArgs {
  const uint8_t* packed;      // nblocks * nsub * 64 bytes
  size_t n;                   // vectors to report (≤ 64 · nblocks)
  size_t nsub;
  const size_t* group_begin;  // ngroups + 1
  size_t ngroups;
  const uint8_t* tables;      // nsub * 256
  uint32_t* sums;             // n * ngroups
};

void scan_8bit_packed_scalar(const Scan8bitPackedArgs& args);
void scan_8bit_packed_avx512(const Scan8bitPackedArgs& args);

}  // namespace ipaq::scan_detail
