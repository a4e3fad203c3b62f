#include "lib/scan/fastscan_4bit.h"

#include <cstring>

#include "lib/core/error.h"
#include "lib/core/simd_level.h"
#include "lib/scan/fastscan_4bit_kernels.h"

namespace ipaq {
namespace {

constexpr size_t kLaneBytes = 16;  // one 16-entry table per 128-bit lane

// Writes row `row` of the quantized LUT twice (once per 128-bit lane) at dst.
void copy_row_twice(const QuantizedLut& q, size_t row, uint8_t* dst) {
  const uint8_t* src = q.table.data() + row * kLaneBytes;
  std::memcpy(dst, src, kLaneBytes);
  std::memcpy(dst + kLaneBytes, src, kLaneBytes);
}

}  // namespace

FastScanLut make_fastscan_lut(const FastScanLayout& layout, const QuantizedLut& quantized) {
  FastScanLut lut;
  make_fastscan_lut_into(layout, quantized, lut);
  return lut;
}

void make_fastscan_lut_into(const FastScanLayout& layout, const QuantizedLut& quantized, FastScanLut& lut) {
  check_quantized_lut(quantized, 4, layout.nsub(), layout.group_begin(), "make_fastscan_lut");
  lut.npairs = layout.npairs();
  lut.pair_begin = layout.pair_begin();
  // Every row is written below (no zero fill of the whole buffers, which a per-query scorer reuses): the
  // real rows are copied, and a group with an odd number of sub-codes gets its one padding row zeroed.
  lut.lo_tables.resize(lut.npairs * 2 * kLaneBytes);
  lut.hi_tables.resize(lut.npairs * 2 * kLaneBytes);
  for (size_t s = 0; s < layout.nsub(); ++s) {
    const size_t padded = layout.padded_sub(s);
    auto& tables = padded % 2 == 0 ? lut.lo_tables : lut.hi_tables;
    copy_row_twice(quantized, s, tables.data() + (padded / 2) * 2 * kLaneBytes);
  }
  const std::vector<size_t>& groups = layout.group_begin();
  for (size_t g = 0; g + 1 < groups.size(); ++g) {
    const size_t rows = groups[g + 1] - groups[g];
    for (size_t padded = 2 * lut.pair_begin[g] + rows; padded < 2 * lut.pair_begin[g + 1]; ++padded) {
      auto& tables = padded % 2 == 0 ? lut.lo_tables : lut.hi_tables;
      std::memset(tables.data() + (padded / 2) * 2 * kLaneBytes, 0, 2 * kLaneBytes);
    }
  }
}

void scan_4bit(const FastScanLayout& layout, const FastScanLut& lut, size_t n, const uint8_t* packed,
               uint32_t* sums) {
  IPAQ_CHECK_ARG(lut.pair_begin == layout.pair_begin(),
                 "scan_4bit: the FastScanLut was made for another layout");
  if (n == 0) return;
  const scan_detail::Scan4bitArgs args{packed,
                                       n,
                                       layout.npairs(),
                                       layout.pair_begin().data(),
                                       layout.ngroups(),
                                       lut.lo_tables.data(),
                                       lut.hi_tables.data(),
                                       sums};
  switch (simd_level()) {
    case SimdLevel::kAvx512: scan_detail::scan_4bit_avx512(args); return;
    case SimdLevel::kAvx2: scan_detail::scan_4bit_avx2(args); return;
    case SimdLevel::kScalar: scan_detail::scan_4bit_scalar(args); return;
  }
}

}  // namespace ipaq
