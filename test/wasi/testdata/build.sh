#!/bin/sh
# Rebuilds the committed test guests (needs clang-14 with the wasm32-wasi sysroot).
set -e
cd "$(dirname "$0")"
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o syscall-loop.wasm syscall-loop.c
