// The `wasi` launch configuration: its arguments mirror `contributes.debuggers[0]
// .configurationAttributes.launch` in package.json (keep them in step), and become a RunOptions
// (runtime/run-options.ts) here: relative paths resolved against `cwd`, `fuel` as a bigint. A
// configuration of the wrong shape is refused with a message that says what to fix.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { CapabilityPolicy, PreopenSpec, RunOptions } from '../runtime/run-options';

/** Mirrors package.json's launch schema. */
export interface WasiLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  program: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  preopens?: { path: string; guest?: string; mode?: 'ro' | 'rw' }[];
  stdin?: string;
  fuel?: number | string;
  deterministic?: boolean;
  seed?: number;
  policy?: CapabilityPolicy;
  stopOnEntry?: boolean;
  baseline?: string;
  audit?: string;
  record?: string;
  replay?: string;
  report?: string;
  /** Speedscope fuel profile (sampled call stacks) written when the run ends. */
  profile?: string;
  /** The complete trace (span graph) written as JSON when the run ends. */
  trace?: string;
  /** Function-level spans: true, or `{ minFuel }` below which call paths are aggregated. */
  functionSpans?: boolean | { minFuel?: number | string };
  traceparent?: string;
  transaction?: string;
  otlpEndpoint?: string;
  /** Fuel units between live samples (pause latency, gauges). Not in the schema: tests use it. */
  sampleEvery?: number | string;
}

/** Every attribute above, as package.json's schema must list them (test/dap/launch-config.test.ts). */
export const LAUNCH_ATTRIBUTES = [
  'program', 'args', 'env', 'cwd', 'preopens', 'stdin', 'fuel', 'deterministic', 'seed', 'policy', 'stopOnEntry',
  'baseline', 'audit', 'record', 'replay', 'report', 'profile', 'trace', 'functionSpans', 'traceparent', 'transaction',
  'otlpEndpoint', 'sampleEvery',
] as const;

export type LaunchConfigResult = { ok: true; options: RunOptions; stopOnEntry: boolean } | { ok: false; error: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function bigintOf(v: unknown, what: string): bigint | string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) return `"${what}" must be a non-negative integer (got ${v})`;
    return BigInt(v);
  }
  if (typeof v === 'string') {
    const t = v.trim().replace(/_/g, '');
    if (!/^\d+$/.test(t)) return `"${what}" must be a non-negative integer or a string of digits (got "${v}")`;
    return BigInt(t);
  }
  return `"${what}" must be a number or a string of digits (got ${typeof v})`;
}

/** Check a launch configuration and turn it into RunOptions. */
export function toRunOptions(raw: unknown, defaultCwd = process.cwd()): LaunchConfigResult {
  const fail = (error: string): LaunchConfigResult => ({ ok: false, error });
  if (!isRecord(raw)) return fail('the launch configuration is not an object');
  const a = raw as Record<string, unknown>;
  if (a.program === undefined || a.program === '') {
    return fail('"program" is missing: set it to the .wasm or .wat file to debug, for example "${workspaceFolder}/build/app.wasm"');
  }
  if (typeof a.program !== 'string') return fail(`"program" must be a string path (got ${typeof a.program})`);
  if (a.cwd !== undefined && typeof a.cwd !== 'string') return fail('"cwd" must be a string path');
  const cwd = resolve(defaultCwd, (a.cwd as string | undefined) ?? '.');
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return fail(`"cwd" is not a directory: ${cwd}`);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  if (a.args !== undefined && !isStringArray(a.args)) return fail('"args" must be an array of strings');
  if (a.env !== undefined && (!isRecord(a.env) || !Object.values(a.env).every((v) => typeof v === 'string'))) {
    return fail('"env" must be an object whose values are strings, e.g. { "HOME": "/tmp" }');
  }
  const preopens: PreopenSpec[] = [];
  if (a.preopens !== undefined) {
    if (!Array.isArray(a.preopens)) return fail('"preopens" must be an array of { "path", "guest", "mode" } objects');
    for (const [i, p] of a.preopens.entries()) {
      if (!isRecord(p) || typeof p.path !== 'string') return fail(`"preopens"[${i}] needs a "path" string (a directory on this machine)`);
      if (p.guest !== undefined && typeof p.guest !== 'string') return fail(`"preopens"[${i}].guest must be a string such as "/sandbox"`);
      if (p.mode !== undefined && p.mode !== 'ro' && p.mode !== 'rw') return fail(`"preopens"[${i}].mode must be "ro" or "rw" (got ${JSON.stringify(p.mode)})`);
      preopens.push({ hostPath: abs(p.path), guestPath: (p.guest as string | undefined) ?? p.path, mode: (p.mode as 'ro' | 'rw' | undefined) ?? 'rw' });
    }
  }
  const options: RunOptions = {
    program: abs(a.program),
    args: (a.args as string[] | undefined) ?? [],
    env: (a.env as Record<string, string> | undefined) ?? {},
    cwd,
    preopens,
  };
  if (a.stdin !== undefined) {
    if (typeof a.stdin !== 'string') return fail('"stdin" must be the path of a file whose bytes the module reads on stdin');
    options.stdin = { file: abs(a.stdin) };
  }
  if (a.fuel !== undefined) {
    const f = bigintOf(a.fuel, 'fuel');
    if (typeof f === 'string') return fail(f);
    options.fuelLimit = f;
  }
  if (a.sampleEvery !== undefined) {
    const f = bigintOf(a.sampleEvery, 'sampleEvery');
    if (typeof f === 'string') return fail(f);
    options.sampleEvery = f;
  }
  for (const key of ['deterministic', 'stopOnEntry'] as const) {
    if (a[key] !== undefined && typeof a[key] !== 'boolean') return fail(`"${key}" must be true or false`);
  }
  options.deterministic = a.deterministic === true;
  if (a.seed !== undefined) {
    if (typeof a.seed !== 'number' || !Number.isInteger(a.seed)) return fail('"seed" must be an integer');
    options.seed = a.seed;
  }
  if (a.policy !== undefined) {
    if (!isRecord(a.policy)) return fail('"policy" must be an object: { "env": [...], "clocks": true, "random": true, "stdin": true, "sockets": false }');
    const p = a.policy;
    const known = new Set(['env', 'clocks', 'random', 'stdin', 'sockets']);
    const unknown = Object.keys(p).filter((k) => !known.has(k));
    if (unknown.length) return fail(`"policy" has unknown keys: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
    if (p.env !== undefined && !isStringArray(p.env)) return fail('"policy.env" must be an array of variable names');
    for (const k of ['clocks', 'random', 'stdin', 'sockets'] as const) {
      if (p[k] !== undefined && typeof p[k] !== 'boolean') return fail(`"policy.${k}" must be true or false`);
    }
    options.policy = p as CapabilityPolicy;
  }
  const paths: [keyof WasiLaunchArguments, keyof RunOptions][] = [
    ['baseline', 'baselineFile'],
    ['audit', 'auditFile'],
    ['record', 'recordFile'],
    ['replay', 'replayFile'],
    ['report', 'reportFile'],
    ['profile', 'profileFile'],
    ['trace', 'traceFile'],
  ];
  for (const [k, o] of paths) {
    const v = a[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') return fail(`"${k}" must be a file path`);
    (options as unknown as Record<string, unknown>)[o] = abs(v);
  }
  if (a.functionSpans !== undefined) {
    const fs = a.functionSpans;
    if (fs === false) options.functionSpans = undefined;
    else if (fs === true) options.functionSpans = {};
    else if (isRecord(fs) && Object.keys(fs).every((k) => k === 'minFuel')) {
      if (fs.minFuel === undefined) options.functionSpans = {};
      else {
        const minFuel = bigintOf(fs.minFuel, 'functionSpans.minFuel');
        if (typeof minFuel === 'string') return fail(minFuel);
        options.functionSpans = { minFuel };
      }
    } else return fail('"functionSpans" must be true, false or { "minFuel": N }');
  }
  for (const k of ['traceparent', 'transaction', 'otlpEndpoint'] as const) {
    const v = a[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') return fail(`"${k}" must be a string`);
    options[k] = v;
  }
  return { ok: true, options, stopOnEntry: a.stopOnEntry === true };
}
