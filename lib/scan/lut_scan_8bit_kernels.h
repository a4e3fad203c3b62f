// Internal: the per-ISA kernels behind scan_8bit (lut_scan_8bit.h). Not part of the public API.
// Same rules as fastscan_4bit_kernels.h: plain pointers only, validated by the caller, never throw.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq::scan_detail {

struct Scan8bitArgs {
  const uint8_t* codes;        // n * nsub
  size_t n;
  size_t nsub;
  const float* lut;            // nsub * 256
  const size_t* group_begin;   // ngroups + 1
  size_t ngroups;
  float* sums;                 // n * ngroups
};

void scan_8bit_scalar(const Scan8bitArgs& args);
void scan_8bit_avx2(const Scan8bitArgs& args);
void scan_8bit_avx512(const Scan8bitArgs& args);

}  // namespace ipaq::scan_detail
