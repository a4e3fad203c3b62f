// Carries an exception out of an OpenMP parallel region.
//
// Throwing out of an OpenMP region terminates the process, so every parallel loop wraps its body:
//
//   OmpExceptionCarrier carrier;
//   #pragma omp parallel for
//   for (int64_t i = 0; i < n; ++i) carrier.run([&] { work(i); });
//   carrier.rethrow();   // on the calling thread; the first captured exception wins
//
// Once an exception is captured, later bodies are skipped. Thread-safe.
#pragma once

#include <atomic>
#include <exception>
#include <mutex>

namespace ipaq {

class OmpExceptionCarrier {
 public:
  template <typename F>
  void run(F&& f) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void rethrow() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::exception_ptr error_;
};

}  // namespace ipaq
