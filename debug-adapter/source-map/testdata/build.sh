#!/usr/bin/env bash
# Rebuilds the committed source-map test inputs. Needs clang-14 with the wasi-libc sysroot and,
# for the Rust input, a nightly rustc (its bundled rust-lld links wasm without a wasm32 std).
# Paths are remapped so the binaries do not depend on where the repository is checked out:
#   lines-dwarf4.wasm: DWARF 4, compile dir mapped to "."      (relative paths in the line table)
#   lines-dwarf5.wasm: DWARF 5, compile dir mapped to "/src"   (absolute paths, not the workspace)
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"
(
  cd c
  clang-14 --target=wasm32-wasi -g -O0 -gdwarf-4 -fdebug-prefix-map="$here/c=." \
    lines.c lib/util.c -o ../lines-dwarf4.wasm
  clang-14 --target=wasm32-wasi -g -O0 -gdwarf-5 -fdebug-prefix-map="$here/c=/src" \
    lines.c lib/util.c -o ../lines-dwarf5.wasm
)
if rustc +nightly --version >/dev/null 2>&1; then
  (cd rust && rustc +nightly --target wasm32-unknown-unknown --crate-type=cdylib -C debuginfo=2 \
    -C opt-level=0 -C panic=abort --remap-path-prefix="$here/rust=/rust-src" pick.rs -o ../pick-rust.wasm)
else
  echo "no nightly rustc: keeping the committed pick-rust.wasm" >&2
fi
