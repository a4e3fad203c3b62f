#!/usr/bin/env bash
# The README's test command: installs dependencies (Debian 12), builds, and runs the whole CTest suite.
#   bash scripts/test.sh             Release build in build/
#   bash scripts/test.sh --sanitize  ASan + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
build=build
flags=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPAQ_SANITIZE=ON -DIPAQ_BUILD_BENCH=OFF)
fi
cmake -S . -B "$build" "${flags[@]}"
cmake --build "$build" -j"$(nproc)"
export OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1
if [ "$build" = build-asan ]; then
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
