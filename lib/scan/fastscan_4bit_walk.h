// Internal: the walk over blocks, groups and uint16 runs shared by the SIMD kernels of scan_4bit.
//
// A kernel TU instantiates walk_blocks<Kernel> with its own Kernel type declared in an anonymous
// namespace: the instantiation then has internal linkage and is compiled with that TU's ISA flags only
// (no AVX-512 code can leak into another TU through the linker). Kernel provides:
//   struct Sums;                                   uint32 sums of one block and group (registers)
//   static constexpr size_t kPairsPerRun;          pairs accumulated in uint16 before widening
//   static constexpr size_t kBlocksPerStep;        blocks scanned together (sharing each table load)
//   static Sums zero();
//   template <size_t NB> static void scan_run(const uint8_t* const* blocks, const uint8_t* lo_tables,
//       const uint8_t* hi_tables, size_t begin, size_t end, Sums* s);  pairs [begin, end) of NB blocks
//   static void store(const Sums& s, size_t valid, size_t ngroups, size_t g, uint32_t* out);
//                        out = sums of the block's first vector; writes out[i * ngroups + g], i < valid
//
// Scanning several blocks per step reads each table once per step instead of once per block: with
// long codes (nsub = 1024: 32 KiB of tables) the tables no longer compete with the codes for L1.
// Short codes are scanned one block at a time (see kMultiBlockMinTableBytes).
#pragma once

#include "lib/scan/fastscan_4bit_kernels.h"

namespace ipaq::scan_detail {

// Above this table size (npairs · 64 bytes, i.e. blocks longer than 4 KiB) blocks are scanned
// kBlocksPerStep at a time; below it one block at a time, which keeps the reads of codes sequential.
// Measured on the development machine (bench/scan, AVX-512, aligned codes): nsub = 64 and 256 run
// 1.15-2.2x faster one block at a time (the per-block sums of a multi-block step spill to the stack, which
// short runs cannot amortize), nsub = 512 and 1024 1.2-2.2x faster with 8 blocks per step.
constexpr size_t kMultiBlockMinTableBytes = 8 * 1024;

template <typename Kernel, size_t NB>
inline void walk_step(const Scan4bitArgs& a, size_t first_block) {
  constexpr size_t kBlock = 32;
  const uint8_t* blocks[NB];
  for (size_t k = 0; k < NB; ++k) blocks[k] = a.packed + (first_block + k) * a.npairs * kBlock;
  for (size_t g = 0; g < a.ngroups; ++g) {
    typename Kernel::Sums s[NB];
    for (size_t k = 0; k < NB; ++k) s[k] = Kernel::zero();
    const size_t group_end = a.pair_begin[g + 1];
    for (size_t p = a.pair_begin[g]; p < group_end; p += Kernel::kPairsPerRun) {
      const size_t end = p + Kernel::kPairsPerRun < group_end ? p + Kernel::kPairsPerRun : group_end;
      Kernel::template scan_run<NB>(blocks, a.lo_tables, a.hi_tables, p, end, s);
    }
    for (size_t k = 0; k < NB; ++k) {
      const size_t first = (first_block + k) * kBlock;
      const size_t valid = a.n - first < kBlock ? a.n - first : kBlock;
      Kernel::store(s[k], valid, a.ngroups, g, a.sums + first * a.ngroups);
    }
  }
}

template <typename Kernel>
inline void walk_blocks(const Scan4bitArgs& a) {
  constexpr size_t kBlock = 32;
  const size_t nblocks = (a.n + kBlock - 1) / kBlock;
  size_t b = 0;
  if (a.npairs * 2 * kBlock > kMultiBlockMinTableBytes) {
    for (; b + Kernel::kBlocksPerStep <= nblocks; b += Kernel::kBlocksPerStep) {
      walk_step<Kernel, Kernel::kBlocksPerStep>(a, b);
    }
  }
  for (; b < nblocks; ++b) walk_step<Kernel, 1>(a, b);
}

}  // namespace ipaq::scan_detail
