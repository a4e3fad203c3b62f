#include "lib/core/simd_level.h"

#include <atomic>
#include <cstdlib>

#include "lib/core/error.h"

namespace ipaq {
namespace {

SimdLevel detect_cpu() {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vnni") &&
                      __builtin_cpu_supports("avx512vpopcntdq");
  if (avx512) return SimdLevel::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt")) {
    return SimdLevel::kAvx2;
  }
  return SimdLevel::kScalar;
}

SimdLevel resolve() {
  SimdLevel level = cpu_simd_level();
  if (const char* env = std::getenv("IPAQ_SIMD"); env != nullptr && *env != '\0') {
    SimdLevel wanted = parse_simd_level(env);
    if (static_cast<int>(wanted) < static_cast<int>(level)) level = wanted;
  }
  return level;
}

std::atomic<int> g_override{-1};

}  // namespace

SimdLevel cpu_simd_level() {
  static const SimdLevel level = detect_cpu();
  return level;
}

SimdLevel simd_level() {
  int o = g_override.load(std::memory_order_relaxed);
  if (o >= 0) return static_cast<SimdLevel>(o);
  static const SimdLevel level = resolve();
  return level;
}

void set_simd_level_for_testing(SimdLevel level) {
  IPAQ_CHECK_ARG(static_cast<int>(level) <= static_cast<int>(cpu_simd_level()),
                 "SIMD level ", simd_level_name(level), " is not supported by this CPU");
  g_override.store(static_cast<int>(level));
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
  }
  return "unknown";
}

SimdLevel parse_simd_level(const std::string& name) {
  if (name == "scalar") return SimdLevel::kScalar;
  if (name == "avx2") return SimdLevel::kAvx2;
  if (name == "avx512") return SimdLevel::kAvx512;
  throw InvalidArgument("IPAQ_SIMD: unknown SIMD level '" + name + "' (expected scalar, avx2 or avx512)");
}

}  // namespace ipaq
