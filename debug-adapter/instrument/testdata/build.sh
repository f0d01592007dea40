#!/usr/bin/env bash
# Rebuild the instrumenter's test modules from their .wat sources (the .wasm files are committed,
# so the tests never need wabt). Run from anywhere: bash debug-adapter/instrument/testdata/build.sh
set -euo pipefail
cd "$(dirname "$0")"
wat2wasm --debug-names --enable-tail-call remap.wat -o remap.wasm
wat2wasm --debug-names --enable-tail-call fuel.wat -o fuel.wasm
# no --debug-names: wabt 1.0.32 writes tag names as name subsection 10 (now "field names")
wat2wasm --enable-exceptions eh.wat -o eh.wasm
wat2wasm --enable-exceptions eh-recursion.wat -o eh-recursion.wasm
wat2wasm --debug-names recursion.wat -o recursion.wasm
wat2wasm --debug-names start-loop.wat -o start-loop.wasm
ls -l *.wasm
