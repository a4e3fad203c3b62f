#include "tools/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace ipaq::cli {

ProgressBar::ProgressBar(std::string label, size_t total)
    : label_(std::move(label)),
      total_(std::max<size_t>(total, 1)),
      interactive_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressBar::update(size_t done) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::finish() {
  draw(total_);
  std::fputc('\n', stderr);
}

void ProgressBar::draw(size_t done) {
  constexpr int kWidth = 20;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0;
  char bar[kWidth + 1];
  const int filled = static_cast<int>(fraction * kWidth);
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  std::fprintf(stderr, "\r%-8s [%s] %3d%%  %zu/%zu  %.1fk vec/s  ETA %d:%02d ", label_.c_str(), bar,
               static_cast<int>(fraction * 100), done, total_, rate / 1000, static_cast<int>(eta) / 60,
               static_cast<int>(eta) % 60);
  std::fflush(stderr);
}

}  // namespace ipaq::cli
