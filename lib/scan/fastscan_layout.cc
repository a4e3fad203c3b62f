#include "lib/scan/fastscan_layout.h"

#include <algorithm>
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

void pack_4bit_codes_at(const FastScanLayout& layout, size_t first, size_t n, const uint8_t* sub,
                        uint8_t* packed) {
  const size_t nsub = layout.nsub();
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  // Vectors joining a partly filled block: one at a time, leaving the block's other vectors untouched.
  const size_t head = std::min(n, (kBlock - first % kBlock) % kBlock);
  for (size_t i = 0; i < head; ++i) pack_4bit_code_at(layout, first + i, sub + i * nsub, packed);
  // Then whole blocks (and a last partial one, whose free lanes are zeroed), pair by pair.
  const std::vector<size_t>& group_begin = layout.group_begin();
  const std::vector<size_t>& pair_begin = layout.pair_begin();
  for (size_t b = head; b < n; b += kBlock) {
    const size_t m = std::min(kBlock, n - b);
    const uint8_t* block_sub = sub + b * nsub;
    uint8_t any = 0;
    for (size_t j = 0; j < m * nsub; ++j) any |= block_sub[j];
    if (any >= 16) {  // name the first offending sub-code
      for (size_t i = 0; i < m; ++i) pack_4bit_code_at(layout, first + b + i, block_sub + i * nsub, packed);
    }
    uint8_t* block = packed + ((first + b) / kBlock) * layout.block_bytes();
    for (size_t g = 0; g + 1 < group_begin.size(); ++g) {
      for (size_t p = pair_begin[g]; p < pair_begin[g + 1]; ++p) {
        const size_t lo = group_begin[g] + 2 * (p - pair_begin[g]);
        const bool has_hi = lo + 1 < group_begin[g + 1];
        uint8_t* out = block + p * kPairBytes;
        for (size_t lane = 0; lane < m; ++lane) {
          const uint8_t* v = block_sub + lane * nsub;
          out[lane] = static_cast<uint8_t>(v[lo] | (has_hi ? v[lo + 1] << 4 : 0));
        }
        std::memset(out + m, 0, kBlock - m);
      }
    }
  }
}

void pack_4bit_codes(const FastScanLayout& layout, size_t n, const uint8_t* sub, uint8_t* packed) {
  pack_4bit_codes_at(layout, 0, n, sub, packed);
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
