#!/usr/bin/env bash
# Also anonymous.wasm: anonymous.wat without any names (wat2wasm without --debug-names).
# Rebuilds lzpack-O0g.wasm: fixtures/c/lzpack.c at -O0 -g with full DWARF (wasi-libc's included),
# ~175 KB, the "C module with DWARF" the debugger's figures are measured on (bench/
# debug-overhead.bench.ts: launch to first breakpoint, cost of breakpoints in functions that never
# run). The source is referred to as ../../../fixtures/c/lzpack.c, so the debugger finds it from
# the repository root. Same toolchain as fixtures/build.sh (clang-14, wasi-libc); committed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clang-14 --target=wasm32-wasi -O0 -g -std=gnu17 -Wall -Wextra -Werror -fdebug-prefix-map="$here"=. \
  -c ../../../fixtures/c/lzpack.c -o "$tmp/lzpack.o"
clang-14 --target=wasm32-wasi "$tmp/lzpack.o" -o "$tmp/lzpack-O0g.wasm"
cmp -s "$tmp/lzpack-O0g.wasm" lzpack-O0g.wasm 2>/dev/null || mv "$tmp/lzpack-O0g.wasm" lzpack-O0g.wasm
ls -l lzpack-O0g.wasm
wat2wasm anonymous.wat -o "$tmp/anonymous.wasm"
cmp -s "$tmp/anonymous.wasm" anonymous.wasm 2>/dev/null || mv "$tmp/anonymous.wasm" anonymous.wasm
ls -l anonymous.wasm
