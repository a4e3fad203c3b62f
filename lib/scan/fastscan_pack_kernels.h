// Internal: the per-ISA kernels behind pack_4bit_codes_at (fastscan_layout.h). Not part of the public API.
//
// One call packs one block: the sub-codes of m ≤ 32 vectors (m * nsub bytes) into the block's
// npairs * 32 bytes, free lanes m .. 31 zeroed (the layout is described in fastscan_layout.h), and
// returns a byte that is ≥ 16 iff some sub-code is ≥ 16 (the block's bytes are then unspecified and the
// caller throws). As the scan kernels (fastscan_4bit_kernels.h), a kernel lives in its own
// translation unit compiled with its ISA's flags and takes only plain pointers: no std templates or
// inline functions shared with portable code. Kernels never throw.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq::scan_detail {

struct Pack4bitBlockArgs {
  const uint8_t* sub;         // m * nsub sub-codes, row-major
  size_t m;                   // vectors of the block, 1 .. 32
  size_t nsub;
  const size_t* group_begin;  // ngroups + 1 sub-code boundaries
  const size_t* pair_begin;   // ngroups + 1 pair boundaries
  size_t ngroups;
  uint8_t* scratch;           // pack_4bit_scratch_bytes(npairs) bytes, any content
  uint8_t* block;             // npairs * 32 bytes, fully written
};

// Scratch of the SIMD kernels: 32 rows of npairs bytes rounded up to 16.
inline size_t pack_4bit_scratch_bytes(size_t npairs) { return 32 * ((npairs + 15) / 16 * 16); }

uint8_t pack_4bit_block_scalar(const Pack4bitBlockArgs& args);
uint8_t pack_4bit_block_avx2(const Pack4bitBlockArgs& args);

}  // namespace ipaq::scan_detail
