// The WASI preview1 host's public surface: what the runtime, the CLI and the tests import.
export { WasiHost, wasiSignature, type WasiHostOptions, type DeterministicOptions } from './wasi-host';
export { ProcExit, WasiError } from './wasi-error';
export { Recorder, Replayer, ReplayDivergenceError, type Divergence, type RecordedCall, type RecordingHeader } from './record-replay';
export { AuditLogWriter, verifyAuditLog, type AuditLogOptions, type AuditVerifyResult } from './audit-log';
export {
  AnomalyDetector,
  buildBaseline,
  compareToBaseline,
  eventPaths,
  loadBaseline,
  saveBaseline,
  type AnomalyOptions,
  type Baseline,
  type DriftReport,
} from './anomaly-detector';
export { Sandbox, type SandboxBackend } from './sandbox-resolver';
export type { DirCacheStats } from './dir-cache';
export type { CapabilityPolicy } from './capability-policy';
export type { StdinOption } from './stdin-source';
export type { WasmMemory, WasmInstance, WasmModule, WasmImports, HostFunction } from './wasm-types';
export { errnoName, E as ERRNO, WASI_FUNCTIONS, WASI_MODULE } from './wasi-abi';
