// Advice to the kernel about large arrays (Linux madvise; a no-op elsewhere). Advisory only: when the
// kernel declines (an older kernel, THP disabled, a range smaller than the unit) nothing changes but speed.
//
// advise_huge_pages: back the 2 MiB-aligned part of [data, data + bytes) with transparent huge pages where
//   THP is in "madvise" mode: one page fault per 2 MiB instead of per 4 KiB, fewer TLB misses in scans.
// populate_for_writing: back the page-aligned part of [data, data + bytes) with zeroed pages now, in one call
//   (MADV_POPULATE_WRITE, Linux >= 5.14), instead of one page fault per 4 KiB page as a fresh buffer is first
//   written.
// Thread-safe (no state).
#pragma once

#include <cstddef>

namespace ipaq {

void advise_huge_pages(const void* data, size_t bytes);
void populate_for_writing(const void* data, size_t bytes);

}  // namespace ipaq
