// A std allocator returning 64-byte aligned memory (one cache line, one AVX-512 register), for the arrays
// the SIMD scans stream through: packed fast-scan codes (fastscan_layout.h) and byte codes.
//
// Why: glibc returns large blocks at a 16-byte offset from a page, so a 64-byte load from a plain
// std::vector<uint8_t> straddles two cache lines every time; measured on the development machine
// (bench/scan, nsub = 64, AVX-512) the fast-scan runs markedly slower on such a buffer. The kernels are
// correct for any alignment; alignment is only about speed.
//
// Usage: ipaq::AlignedBytes packed(layout.packed_bytes(n));   // a std::vector<uint8_t>, aligned
// Errors: allocation failure throws std::bad_alloc like std::allocator. Thread-safety: as std::allocator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace ipaq {

template <typename T>
struct CacheAlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};

  CacheAlignedAllocator() noexcept = default;
  template <typename U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(::operator new(n * sizeof(T), kAlignment));
  }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, kAlignment); }

  template <typename U>
  bool operator==(const CacheAlignedAllocator<U>&) const noexcept { return true; }
};

using AlignedBytes = std::vector<uint8_t, CacheAlignedAllocator<uint8_t>>;

}  // namespace ipaq
