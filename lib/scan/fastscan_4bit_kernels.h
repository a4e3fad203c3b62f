// Internal: the per-ISA kernels behind scan_4bit (fastscan_4bit.h). Not part of the public API.
//
// Each kernel lives in its own translation unit (fastscan_4bit_{scalar,avx2,avx512}.cc) compiled with
// that ISA's flags, and takes only plain pointers: a kernel TU must not instantiate std templates or
// inline functions shared with portable code (the linker could keep the AVX-512 copy for everyone).
// Arguments are validated by scan_4bit before dispatch; kernels never throw.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq::scan_detail {

struct Scan4bitArgs {
  const uint8_t* packed;      // nblocks * npairs * 32 bytes
  size_t n;                   // vectors to report (≤ 32 · nblocks)
  size_t npairs;              // pairs per block
  const size_t* pair_begin;   // ngroups + 1 pair boundaries
  size_t ngroups;
  const uint8_t* lo_tables;   // npairs * 32, see FastScanLut
  const uint8_t* hi_tables;   // npairs * 32
  uint32_t* sums;             // n * ngroups
};

void scan_4bit_scalar(const Scan4bitArgs& args);
void scan_4bit_avx2(const Scan4bitArgs& args);
void scan_4bit_avx512(const Scan4bitArgs& args);

}  // namespace ipaq::scan_detail
