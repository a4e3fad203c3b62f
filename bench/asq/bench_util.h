// Shared by the bench/asq drivers: per-thread CPU time and the main() wrapper that turns exceptions
// into an error message and exit code 1.
#pragma once

#include <time.h>

#include <cstdio>
#include <exception>

namespace ipaq::asq::bench {

// CPU time of the calling thread in ms (CLOCK_THREAD_CPUTIME_ID: robust to other jobs on the machine).
inline double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

template <typename Run>
int guarded_main(const char* name, Run run) {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace ipaq::asq::bench
