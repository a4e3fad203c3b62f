#!/usr/bin/env bash
# Builds FAISS 1.7.3 with -DFAISS_OPT_LEVEL=avx2 from Debian's own source package and installs it into a
# local prefix, so benchmarks compare against a SIMD FAISS (Debian's libfaiss is a generic, non-SIMD
# build). Then configure ipaq with:
#     cmake -S . -B build-x -DIPAQ_FAISS_PREFIX=<prefix>
#
# Usage: scripts/build-faiss-avx2.sh [prefix]        (default prefix: ../faiss-avx2 next to the project)
# Needs: dpkg-dev (apt-get source), the build dependencies of ipaq (OpenBLAS, OpenMP), network access to
# the Debian mirror. Idempotent: an existing source tree or build directory is reused.
# Only the faiss_avx2 target is built (about 75 s on 2 cores); it is installed as libfaiss_avx2.a with a
# CMake package config `faiss` that exports the target `faiss_avx2` (ipaq's CMake links whichever of
# `faiss` / `faiss_avx2` the package provides; this config provides both).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$(realpath -m "${1:-$here/../faiss-avx2}")"
work="$(realpath -m "$prefix/../faiss-avx2-src")"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# 1. A deb-src entry for bookworm main (same URIs and keyring as the binary entry).
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $SUDO tee /etc/apt/sources.list.d/ipaq-deb-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO apt-get update -qq
fi
command -v dpkg-source >/dev/null || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dpkg-dev

# 2. Debian's source (upstream 1.7.3 + Debian's patches).
mkdir -p "$work"
cd "$work"
src="$(find . -maxdepth 1 -type d -name 'faiss-1.7.3*' | head -n1)"
if [ -z "$src" ]; then
  apt-get source faiss
  src="$(find . -maxdepth 1 -type d -name 'faiss-1.7.3*' | head -n1)"
fi
[ -n "$src" ] || { echo "build-faiss-avx2: apt-get source faiss gave no faiss-1.7.3 tree" >&2; exit 1; }

# 3. Configure and build only the AVX2 library.
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DFAISS_ENABLE_GPU=OFF -DFAISS_ENABLE_PYTHON=OFF -DFAISS_ENABLE_C_API=OFF -DBUILD_TESTING=OFF \
  -DFAISS_OPT_LEVEL=avx2 -DBLA_VENDOR=OpenBLAS -DCMAKE_INSTALL_PREFIX="$prefix"
cmake --build "$work/build" --target faiss_avx2 -j"$(nproc)"

# 4. Install by hand: FAISS's install() rules want every target built. Headers, library and a package
#    config exporting faiss_avx2 with its link interface (OpenMP, BLAS/LAPACK).
mkdir -p "$prefix/include" "$prefix/lib/cmake/faiss"
(cd "$src" && find faiss -name '*.h' -not -path '*/gpu/*' -not -path '*/python/*' \
   -exec install -D -m 644 {} "$prefix/include/{}" \;)
install -m 644 "$work/build/faiss/libfaiss_avx2.a" "$prefix/lib/"
cat > "$prefix/lib/cmake/faiss/faiss-config.cmake" <<'CFG'
# FAISS 1.7.3 built with FAISS_OPT_LEVEL=avx2 by ipaq's scripts/build-faiss-avx2.sh.
include(CMakeFindDependencyMacro)
find_dependency(OpenMP REQUIRED)
find_dependency(BLAS REQUIRED)
find_dependency(LAPACK REQUIRED)
get_filename_component(_faiss_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET faiss_avx2)
  add_library(faiss_avx2 STATIC IMPORTED)
  set_target_properties(faiss_avx2 PROPERTIES
    IMPORTED_LOCATION "${_faiss_prefix}/lib/libfaiss_avx2.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_faiss_prefix}/include"
    INTERFACE_LINK_LIBRARIES "OpenMP::OpenMP_CXX;${BLAS_LIBRARIES};${LAPACK_LIBRARIES}")
endif()
# Consumers link `faiss` as with Debian's package.
if(NOT TARGET faiss)
  add_library(faiss INTERFACE IMPORTED)
  set_target_properties(faiss PROPERTIES INTERFACE_LINK_LIBRARIES faiss_avx2)
endif()
unset(_faiss_prefix)
CFG
echo "FAISS 1.7.3 (AVX2) installed in $prefix"
