#include "lib/scan/fastscan_8bit_layout.h"

#include <cstring>

#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/scan/lut_quantizer.h"

namespace ipaq {
namespace {

// Offset of sub-code s of vector i in a packed array.
size_t byte_offset(const FastScan8Layout& layout, size_t i, size_t s) {
  constexpr size_t kBlock = FastScan8Layout::kBlockSize;
  return (i / kBlock) * layout.block_bytes() + s * kBlock + i % kBlock;
}

}  // namespace

FastScan8Layout::FastScan8Layout(size_t nsub, std::vector<size_t> group_begin)
    : nsub_(nsub), group_begin_(std::move(group_begin)) {
  IPAQ_CHECK_ARG(nsub >= 1, "FastScan8Layout: nsub must be >= 1");
  check_group_begin(group_begin_, nsub);
}

size_t FastScan8Layout::packed_bytes(size_t n) const {
  return checked_mul(nblocks(n), block_bytes(), "FastScan8Layout: packed size");
}

void pack_8bit_code_at(const FastScan8Layout& layout, size_t i, const uint8_t* sub, uint8_t* packed) {
  for (size_t s = 0; s < layout.nsub(); ++s) packed[byte_offset(layout, i, s)] = sub[s];
}

void pack_8bit_codes(const FastScan8Layout& layout, size_t n, const uint8_t* sub, uint8_t* packed) {
  std::memset(packed, 0, layout.packed_bytes(n));
  for (size_t i = 0; i < n; ++i) pack_8bit_code_at(layout, i, sub + i * layout.nsub(), packed);
}

void unpack_8bit_codes_at(const FastScan8Layout& layout, size_t first, size_t n, const uint8_t* packed,
                          uint8_t* sub) {
  for (size_t v = 0; v < n; ++v) {
    for (size_t s = 0; s < layout.nsub(); ++s) sub[v * layout.nsub() + s] = packed[byte_offset(layout, first + v, s)];
  }
}

void unpack_8bit_codes(const FastScan8Layout& layout, size_t n, const uint8_t* packed, uint8_t* sub) {
  unpack_8bit_codes_at(layout, 0, n, packed, sub);
}

}  // namespace ipaq
