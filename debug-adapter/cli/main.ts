// `wasiscope`: the command line for terminals and CI, on the same engine as the extension.
//   wasiscope run [options] module.wasm [args...]   run, report, trail, profile
//   wasiscope diff BASELINE TRAIL|BASELINE            drift against a baseline (exit 1 on drift)
//   wasiscope baseline TRAIL -o FILE                  save a baseline from a run's audit trail
//   wasiscope verify TRAIL                            check an audit trail's hash chain
//   wasiscope demo                                    run the bundled example and show what VS Code would
import { runCommand } from './run-command';
import { diffCommand, baselineCommand } from './baseline-commands';
import { verifyCommand } from './verify-command';
import { demoCommand } from './demo-command';
import { UsageError } from './run-args';

const USAGE = `usage: wasiscope <command> [...]

  run [options] <module> [args...]   run a module on the sandboxed, instrumented host (wasiscope run --help)
  diff <baseline.json> <trail.jsonl|baseline.json>   compare a run with a baseline; exit 1 on drift
  baseline <trail.jsonl> -o <baseline.json>           save a run's capability profile as a baseline
  verify <trail.jsonl> [--key KEY]                    check an audit trail's hash chain; exit 1 if broken
  demo                                                run the bundled example and print what the extension shows
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
      return runCommand(rest);
    case 'diff':
      return diffCommand(rest);
    case 'baseline':
      return baselineCommand(rest);
    case 'verify':
      return verifyCommand(rest);
    case 'demo':
      return demoCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`wasiscope: unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`wasiscope: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`wasiscope: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
