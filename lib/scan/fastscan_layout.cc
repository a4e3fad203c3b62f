#include "lib/scan/fastscan_layout.h"

#include <cstring>

#include "lib/core/checks.h"
#include "lib/core/error.h"
#include "lib/scan/lut_quantizer.h"

namespace ipaq {
namespace {

constexpr size_t kPairBytes = FastScanLayout::kBlockSize;  // one byte per vector of the block

// Byte holding padded sub-code `padded` of vector `i` in a packed array, and the nibble's shift.
struct NibbleAddress {
  size_t byte;
  int shift;
};

NibbleAddress nibble_address(const FastScanLayout& layout, size_t i, size_t padded) {
  const size_t block = i / FastScanLayout::kBlockSize;
  const size_t lane = i % FastScanLayout::kBlockSize;
  return {block * layout.block_bytes() + (padded / 2) * kPairBytes + lane, static_cast<int>(padded % 2) * 4};
}

}  // namespace

FastScanLayout::FastScanLayout(size_t nsub, std::vector<size_t> group_begin)
    : nsub_(nsub), group_begin_(std::move(group_begin)) {
  IPAQ_CHECK_ARG(nsub >= 1, "FastScanLayout: nsub must be >= 1");
  check_group_begin(group_begin_, nsub);
  pair_begin_.assign(group_begin_.size(), 0);
  padded_of_sub_.resize(nsub);
  for (size_t g = 0; g + 1 < group_begin_.size(); ++g) {
    const size_t rows = group_begin_[g + 1] - group_begin_[g];
    for (size_t s = 0; s < rows; ++s) padded_of_sub_[group_begin_[g] + s] = 2 * pair_begin_[g] + s;
    pair_begin_[g + 1] = pair_begin_[g] + (rows + 1) / 2;
  }
}

size_t FastScanLayout::packed_bytes(size_t n) const {
  return checked_mul(nblocks(n), block_bytes(), "FastScanLayout: packed size");
}

void pack_4bit_code_at(const FastScanLayout& layout, size_t i, const uint8_t* sub, uint8_t* packed) {
  for (size_t s = 0; s < layout.nsub(); ++s) {
    IPAQ_CHECK_ARG(sub[s] < 16, "pack_4bit_codes: sub-code ", s, " of vector ", i, " is ", int{sub[s]},
                   ", not < 16");
    const NibbleAddress a = nibble_address(layout, i, layout.padded_sub(s));
    packed[a.byte] = static_cast<uint8_t>((packed[a.byte] & ~(0x0F << a.shift)) | (sub[s] << a.shift));
  }
}

void pack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* sub, uint8_t* packed) {
  std::memset(packed, 0, layout.packed_bytes(n));
  for (size_t i = 0; i < n; ++i) pack_4bit_code_at(layout, i, sub + i * layout.nsub(), packed);
}

void unpack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* packed, uint8_t* sub) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t s = 0; s < layout.nsub(); ++s) {
      const NibbleAddress a = nibble_address(layout, i, layout.padded_sub(s));
      sub[i * layout.nsub() + s] = (packed[a.byte] >> a.shift) & 0x0F;
    }
  }
}

}  // namespace ipaq
