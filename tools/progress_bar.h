// ProgressBar: one self-overwriting status line on stderr for long `ipaq` operations:
//   adding  [##########..........]  52%  31200/60000  10.4k vec/s  ETA 0:03
// update() redraws at most every 200 ms; finish() draws the final state and ends the line. When
// stderr is not a terminal, only finish() prints (logs stay readable). Not thread-safe: call from the
// thread driving the work.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ipaq::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total);
  void update(size_t done);
  void finish();

 private:
  void draw(size_t done);
  std::string label_;
  size_t total_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace ipaq::cli
