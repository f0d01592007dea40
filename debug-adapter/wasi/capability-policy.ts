// The capability policy from the launch configuration (runtime/run-options.ts CapabilityPolicy),
// normalised into the questions the host asks at call time. Per-preopen read-only/read-write is
// carried by the preopen's mode and enforced through rights (WRITE_RIGHTS are withheld).
import type { CapabilityPolicy } from '../runtime/run-options';

export type { CapabilityPolicy };

export interface PolicyView {
  envVisible(name: string): boolean;
  readonly clocks: boolean;
  readonly random: boolean;
  readonly stdin: boolean;
  /** `false` only when the policy says so explicitly (there are no socket fds otherwise). */
  readonly socketsDenied: boolean;
  /** Summary for the trail/report. */
  describe(): Record<string, string | boolean>;
}

export function policyView(p: CapabilityPolicy | undefined): PolicyView {
  const env = p?.env;
  const all = env === undefined || env.includes('*');
  const allowed = new Set(env ?? []);
  return {
    envVisible: (name) => all || allowed.has(name),
    clocks: p?.clocks !== false,
    random: p?.random !== false,
    stdin: p?.stdin !== false,
    socketsDenied: p?.sockets === false,
    describe: () => ({
      env: all ? '*' : [...allowed].join(','),
      clocks: p?.clocks !== false,
      random: p?.random !== false,
      stdin: p?.stdin !== false,
      sockets: p?.sockets === true,
    }),
  };
}
