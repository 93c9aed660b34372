#!/usr/bin/env bash
# The sanitizer build (README.md in this folder): a second build tree, <build>/sanitize, made with
# clang-14 and AddressSanitizer + UndefinedBehaviorSanitizer on every target, with the fuzz
# targets of tests/fuzz and without the parts that run a model (CONCEPTLENS_TORCH=OFF: LibTorch
# 1.13's headers do not compile with clang 14 in C++20). The main tree's ctest drives it
# through three tests (label sanitize):
#   run.sh build SOURCE_DIR BUILD_DIR [LAUNCHER]   configure (the first time) and build
#   run.sh suite BUILD_DIR                         the test suite under the sanitizers
#   run.sh fuzz  BUILD_DIR                         every fuzz target for its bounded time
# Exits 77 (ctest: skipped) with the reason when clang-14 or libFuzzer is missing.
set -euo pipefail
mode=$1

skip() {
  echo "sanitize: skipped: $*"
  exit 77
}

case $mode in
  build)
    source_dir=$2 tree=$3/sanitize launcher=${4:-}
    command -v clang++-14 >/dev/null || skip "clang++-14 not found (cmake/install-debian-deps.sh installs clang-14)"
    [ -f "$(clang-14 -print-file-name=libclang_rt.fuzzer-x86_64.a)" ] ||
      skip "clang-14's libFuzzer runtime is missing (Debian: libclang-rt-14-dev)"
    if [ ! -f "$tree/build.ninja" ]; then
      cmake -S "$source_dir" -B "$tree" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
        ${launcher:+-DCMAKE_C_COMPILER_LAUNCHER=$launcher -DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} \
        -DCONCEPTLENS_SANITIZE=ON -DCONCEPTLENS_FUZZ=ON -DCONCEPTLENS_TORCH=OFF -DCONCEPTLENS_BENCH=OFF
    fi
    exec cmake --build "$tree" -j2
    ;;
  suite | fuzz)
    tree=$2/sanitize
    [ -f "$tree/CTestTestfile.cmake" ] || skip "no sanitizer build in $tree"
    if [ "$mode" = suite ]; then
      exec ctest --test-dir "$tree" --output-on-failure -L sanitized
    fi
    exec ctest --test-dir "$tree" --output-on-failure -L fuzz -j2
    ;;
  *)
    echo "usage: run.sh build SOURCE_DIR BUILD_DIR [LAUNCHER] | suite BUILD_DIR | fuzz BUILD_DIR" >&2
    exit 1
    ;;
esac
