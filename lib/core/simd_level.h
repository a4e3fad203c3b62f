// The one SIMD dispatch point of ipaq.
//
// Kernels are compiled once per ISA in their own translation units (files named *_scalar.cc, *_avx2.cc,
// *_avx512.cc; see cmake/IpaqTargets.cmake). simd_level() is resolved once per process (thread-safe
// static): the best level the CPU and OS support, lowered — never raised — by the environment variable
// IPAQ_SIMD=scalar|avx2|avx512. An unknown IPAQ_SIMD value throws ipaq::InvalidArgument on first use.
// Tests may call set_simd_level_for_testing() to walk every level the machine supports in one process.
#pragma once

#include <string>

namespace ipaq {

enum class SimdLevel : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// The highest level this CPU supports (cpuid + OS register state), ignoring IPAQ_SIMD.
SimdLevel cpu_simd_level();

// The level kernels dispatch to: min(cpu_simd_level(), IPAQ_SIMD). Resolved once, cheap afterwards.
SimdLevel simd_level();

// Overrides simd_level() for the rest of the process (tests only). Throws InvalidArgument if the CPU
// does not support `level`.
void set_simd_level_for_testing(SimdLevel level);

const char* simd_level_name(SimdLevel level);

// Parses "scalar" | "avx2" | "avx512"; throws InvalidArgument otherwise.
SimdLevel parse_simd_level(const std::string& name);

}  // namespace ipaq
