#include "lib/core/memory_advice.h"

#include <cstdint>

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older headers lack it, older kernels refuse it (EINVAL)
#endif
#endif

namespace ipaq {

namespace {

// madvise on the part of [data, data + bytes) made of whole `unit`-aligned units.
void advise_aligned(const void* data, size_t bytes, uintptr_t unit, [[maybe_unused]] int advice) {
  const auto begin = (reinterpret_cast<uintptr_t>(data) + unit - 1) & ~(unit - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(unit - 1);
  if (data == nullptr || end <= begin) return;
#ifdef __linux__
  madvise(reinterpret_cast<void*>(begin), end - begin, advice);
#endif
}

}  // namespace

void advise_huge_pages(const void* data, size_t bytes) {
#ifdef __linux__
  advise_aligned(data, bytes, uintptr_t{2} << 20, MADV_HUGEPAGE);
#else
  (void)data, (void)bytes;
#endif
}

void populate_for_writing(const void* data, size_t bytes) {
#ifdef __linux__
  advise_aligned(data, bytes, static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)), MADV_POPULATE_WRITE);
#else
  (void)data, (void)bytes;
#endif
}

}  // namespace ipaq
