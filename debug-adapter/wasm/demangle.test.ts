import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demangle } from './demangle';
import { parseModule } from './reader';
import { customSections } from './module';
import { decodeNameSection } from './name-section';

test("Rust's legacy mangling: paths, escapes, the hash dropped", () => {
  assert.equal(demangle('_ZN4wasi13lib_generated22wasi_snapshot_preview111fd_renumber17hf876f0a30cd89398E'), 'wasi::lib_generated::wasi_snapshot_preview1::fd_renumber');
  assert.equal(demangle('_ZN8renumber4main17h0123456789abcdefE'), 'renumber::main');
  assert.equal(demangle('_ZN4core3fmt9Formatter3pad17h1f2e3d4c5b6a7988E'), 'core::fmt::Formatter::pad');
  assert.equal(demangle('_ZN60_$LT$alloc..string..String$u20$as$u20$core..fmt..Display$GT$3fmt17h0123456789abcdefE'), '<alloc::string::String as core::fmt::Display>::fmt');
  assert.equal(demangle('_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE'), 'core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>');
});

test("Rust's v0 mangling: nested paths, impls, trait impls, generics, closures, back references", () => {
  const cases: [string, string][] = [
    ['_RNvNtCs6TxCtTcuIIP_3std3env7args_os', 'std::env::args_os'],
    ['_RNvMsa_NtCsltDuuzhejvA_4core3fmtNtB5_9Formatter3pad', '<core::fmt::Formatter>::pad'],
    ['_RNvXs3_NtNtNtCsltDuuzhejvA_4core3fmt3num3imptNtB9_7Display3fmt', '<u16 as core::fmt::Display>::fmt'],
    ['_RNvXs9_NtNtCs6TxCtTcuIIP_3std2io5implsINtNtCs8Ske0I8pKSe_5alloc3vec3VechENtB7_5Write5writeB9_', '<alloc::vec::Vec<u8> as std::io::Write>::write'],
    ['_RNCNvNtCs6TxCtTcuIIP_3std9panicking12default_hook0B5_', 'std::panicking::default_hook::{closure#0}'],
    ['_RINvNtCsltDuuzhejvA_4core9panicking13assert_failedbbECs6TxCtTcuIIP_3std', 'core::panicking::assert_failed<bool, bool>'],
    ['_RNCINvNtNtCs6TxCtTcuIIP_3std6thread7current17with_current_nameNCNCNvNtB8_9panicking12default_hook00uE0B8_', 'std::thread::current::with_current_name<std::panicking::default_hook::{closure#0}::{closure#0}, ()>::{closure#0}'],
    ['_RNvCsGIExRX8pES_7___rustc12___rust_alloc', '__rustc::__rust_alloc'],
  ];
  for (const [m, d] of cases) assert.equal(demangle(m), d, m);
  // dyn types are not decoded: the name stays as it is rather than half-read
  assert.equal(demangle('_RNvXs1g_NtCsltDuuzhejvA_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_'), '_RNvXs1g_NtCsltDuuzhejvA_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_');
  // a back reference may only point backwards
  assert.equal(demangle('_RNvB9_3foo'), '_RNvB9_3foo');
});

test('anything else stays as it is', () => {
  for (const n of [
    'main', '__original_main', '$func12', '_ZN3foo3barEv', '_Z3fooi', '_ZN3foo3barE', '_ZN3foo17h0123456789abcdefE0', '_ZN2ab17h0123456789abcdeE',
    '_ZN99foo17h0123456789abcdefE', '_R7example', '_ZN3f$X17h0123456789abcdefE', '',
  ]) {
    assert.equal(demangle(n), n, n);
  }
});

test('every Rust name in a real module demangles', () => {
  const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../shared/conformance/wasi-testsuite/rust/renumber.wasm', import.meta.url))));
  const names = decodeNameSection(customSections(parseModule(bytes, { checkBodies: false }), 'name')[0].content).functions;
  let rust = 0;
  for (const n of names.values()) {
    if (!n.startsWith('_ZN')) continue;
    rust++;
    const d = demangle(n);
    assert.notEqual(d, n, n);
    assert.ok(!/17h[0-9a-f]{16}/.test(d), d);
  }
  assert.ok(rust > 100, `${rust} mangled names`);
});

test('the v0 names of the whole Rust testsuite: nearly all read, none throws', () => {
  const dir = fileURLToPath(new URL('../../../shared/conformance/wasi-testsuite/rust/', import.meta.url));
  let v0 = 0;
  let read = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.wasm'))) {
    const sec = customSections(parseModule(new Uint8Array(readFileSync(join(dir, f))), { checkBodies: false }), 'name')[0];
    if (!sec) continue;
    for (const n of decodeNameSection(sec.content).functions.values()) {
      if (!n.startsWith('_R')) continue;
      v0++;
      const d = demangle(n);
      if (d !== n) {
        read++;
        assert.ok(!d.startsWith('_R'), d);
      }
    }
  }
  assert.ok(v0 > 1000 && read / v0 > 0.95, `${read} of ${v0}`);
});
