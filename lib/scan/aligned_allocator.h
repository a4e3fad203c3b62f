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
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
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

// Allocator adaptor whose value-less construct() default-initialises: for trivial T, vector::resize(n)
// leaves the new elements UNINITIALISED instead of zeroing them (resize(n, value) still fills). For arrays
// whose new elements are all written right after they are added (the packed IVF lists: zeroing them
// first cost a pass over every byte of a reopen). Everything else is the base allocator's.
template <typename T, typename Base = std::allocator<T>>
struct DefaultInitAllocator : Base {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
  };
  DefaultInitAllocator() noexcept = default;
  template <typename U, typename B>
  DefaultInitAllocator(const DefaultInitAllocator<U, B>& other) noexcept : Base(other) {}

  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    std::allocator_traits<Base>::construct(static_cast<Base&>(*this), p, std::forward<Args>(args)...);
  }
};

// 64-byte aligned bytes whose resize(n) does not zero the new bytes (see DefaultInitAllocator).
using UninitAlignedBytes = std::vector<uint8_t, DefaultInitAllocator<uint8_t, CacheAlignedAllocator<uint8_t>>>;
// Plain bytes whose resize(n) does not zero the new bytes.
using UninitBytes = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

}  // namespace ipaq
