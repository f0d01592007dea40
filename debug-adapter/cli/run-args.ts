// Parses `wasiscope run [options] module.wasm [args...]` into RunOptions. Flags follow Wasmtime's
// spelling where Wasmtime has one (--dir HOST[::GUEST], --env NAME=VALUE, --fuel N); options stop
// at the module path, and everything after it belongs to the module, as with `wasmtime run`.
import { resolve } from 'node:path';
import type { CapabilityPolicy, PreopenSpec, RunOptions } from '../runtime/run-options';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliRunOptions extends RunOptions {
  /** Print the report summary on stderr (default true). */
  summary: boolean;
  /**
   * Progress on stderr: always (--progress), never (--no-progress), or `auto`: once the run has
   * lasted AUTO_PROGRESS_AFTER_MS, and only when stderr is a terminal.
   */
  progress: boolean | 'auto';
}

export const RUN_USAGE = `usage: wasiscope run [options] <module.wasm|module.wat> [args...]

  --dir HOST[::GUEST]       preopen HOST read-write (as GUEST, default HOST's path as given)
  --dir-ro HOST[::GUEST]    preopen HOST read-only
  --env NAME=VALUE          set an environment variable (repeatable); --env NAME passes the host's
  --stdin FILE              feed FILE on stdin (default: no stdin)
  --fuel N                  fuel limit: trap with "out of fuel" past N
  --fuel-budget N           exit non-zero (3) when the run burns more than N (the run completes)
  --deterministic           virtual clocks advancing with fuel, seeded random
  --seed N                  seed for --deterministic random (default 0)
  --allow-env NAMES         comma-separated env names the module may read (default all given)
  --deny CAPS               comma-separated: clocks, random, stdin
  --allow-sockets           allow sockets on preopened listeners
  --record FILE             record every host result
  --replay FILE             replay host results from FILE (touches no file system)
  --audit FILE              write the hash-chained JSON-lines audit trail
  --baseline FILE           compare capabilities with a baseline (anomalies, drift)
  --report FILE             write the JSON execution report
  --profile FILE            write a speedscope fuel profile (per function, with sampled call stacks)
  --trace FILE              write the complete trace (the run's span graph) as JSON
  --function-spans[=FUEL]   add function-level spans from sampled call stacks; call paths under
                            FUEL (default 1% of the run's fuel) are aggregated into summary spans
  --sample-every N          fuel between live samples (default 10000000)
  --traceparent VALUE       join a W3C trace (default: $TRACEPARENT)
  --transaction NAME        name of the transaction span
  --otlp-endpoint URL       export spans over OTLP/HTTP (default: $OTEL_EXPORTER_OTLP_*)
  --service-name NAME       service.name of exported spans (default: $OTEL_SERVICE_NAME or wasiscope)
  --quiet                   no report summary on stderr
  --progress                progress on stderr from the start (default: after 2 s, on a terminal)
  --no-progress             no progress line
`;

function parseBig(flag: string, v: string): bigint {
  if (!/^\d[\d_]*$/.test(v)) throw new UsageError(`${flag} needs a whole number, got "${v}"`);
  return BigInt(v.replace(/_/g, ''));
}

function parseDir(flag: string, v: string, cwd: string, mode: 'ro' | 'rw'): PreopenSpec {
  const i = v.indexOf('::');
  const host = i < 0 ? v : v.slice(0, i);
  const guest = i < 0 ? v : v.slice(i + 2);
  if (!host || !guest) throw new UsageError(`${flag} needs HOST[::GUEST], got "${v}"`);
  return { hostPath: resolve(cwd, host), guestPath: guest, mode };
}

export function parseRunArgs(argv: string[], cwd: string, hostEnv: NodeJS.ProcessEnv): CliRunOptions {
  const preopens: PreopenSpec[] = [];
  const env: Record<string, string> = {};
  const policy: CapabilityPolicy = {};
  const out: Partial<CliRunOptions> = { summary: true, progress: 'auto' };
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') break;
    if (a === '--') {
      i++;
      break;
    }
    // Accept --flag=value as well as --flag value.
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const take = (): string => (a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : value(flag));
    switch (flag) {
      case '--dir':
        preopens.push(parseDir(flag, take(), cwd, 'rw'));
        break;
      case '--dir-ro':
        preopens.push(parseDir(flag, take(), cwd, 'ro'));
        break;
      case '--env': {
        const v = take();
        const k = v.indexOf('=');
        if (k === 0) throw new UsageError(`--env needs NAME=VALUE, got "${v}"`);
        if (k < 0) {
          const hv = hostEnv[v];
          if (hv !== undefined) env[v] = hv;
        } else env[v.slice(0, k)] = v.slice(k + 1);
        break;
      }
      case '--stdin':
        out.stdin = { file: resolve(cwd, take()) };
        break;
      case '--fuel':
        out.fuelLimit = parseBig(flag, take());
        break;
      case '--fuel-budget':
        out.fuelBudget = parseBig(flag, take());
        break;
      case '--deterministic':
        out.deterministic = true;
        break;
      case '--seed':
        out.seed = Number(parseBig(flag, take()));
        break;
      case '--allow-env':
        policy.env = take().split(',').filter(Boolean);
        break;
      case '--deny':
        for (const cap of take().split(',').filter(Boolean)) {
          if (cap === 'clocks') policy.clocks = false;
          else if (cap === 'random') policy.random = false;
          else if (cap === 'stdin') policy.stdin = false;
          else throw new UsageError(`--deny takes clocks, random, stdin; got "${cap}"`);
        }
        break;
      case '--allow-sockets':
        policy.sockets = true;
        break;
      case '--record':
        out.recordFile = resolve(cwd, take());
        break;
      case '--replay':
        out.replayFile = resolve(cwd, take());
        break;
      case '--audit':
        out.auditFile = resolve(cwd, take());
        break;
      case '--baseline':
        out.baselineFile = resolve(cwd, take());
        break;
      case '--report':
        out.reportFile = resolve(cwd, take());
        break;
      case '--profile':
        out.profileFile = resolve(cwd, take());
        break;
      case '--trace':
        out.traceFile = resolve(cwd, take());
        break;
      case '--function-spans':
        // The threshold only in the `=` form: a separate word would be the module path.
        out.functionSpans = eq > 0 ? { minFuel: parseBig(flag, a.slice(eq + 1)) } : {};
        break;
      case '--sample-every':
        out.sampleEvery = parseBig(flag, take());
        break;
      case '--traceparent':
        out.traceparent = take();
        break;
      case '--transaction':
        out.transaction = take();
        break;
      case '--otlp-endpoint':
        out.otlpEndpoint = take();
        break;
      case '--service-name':
        out.serviceName = take();
        break;
      case '--quiet':
        out.summary = false;
        break;
      case '--progress':
        out.progress = true;
        break;
      case '--no-progress':
        out.progress = false;
        break;
      default:
        throw new UsageError(`unknown option ${a}\n\n${RUN_USAGE}`);
    }
  }
  const program = argv[i];
  if (program === undefined) throw new UsageError(`no module given\n\n${RUN_USAGE}`);
  if (out.recordFile && out.replayFile) throw new UsageError('--record and --replay cannot be used together');
  return {
    ...out,
    program: resolve(cwd, program),
    args: argv.slice(i + 1),
    env,
    cwd,
    preopens,
    policy,
    traceparent: out.traceparent ?? hostEnv.TRACEPARENT,
    summary: out.summary ?? true,
    progress: out.progress ?? 'auto',
  };
}
