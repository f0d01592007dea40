// `wasiscope run`: the module's stdout and stderr pass through byte for byte; the report summary,
// progress and warnings go to stderr after (or around) them; the exit code is the module's, or
// 134 for a trap / out of fuel, 3 when --fuel-budget was exceeded, 1 when it could not start.
import { parseRunArgs, RUN_USAGE } from './run-args';
import { startObservedRun } from '../orchestration/observed-run';
import { formatReportSummary } from '../telemetry/report';
import type { RuntimeEvent } from '../runtime/events';
import { ProgressLine } from './progress';

export const EXIT_LAUNCH_FAILED = 1;
export const EXIT_OVER_BUDGET = 3;

function writeSync(stream: NodeJS.WriteStream, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(data)) resolve();
    else stream.once('drain', () => resolve());
  });
}

export async function runCommand(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const options = parseRunArgs(argv, process.cwd(), process.env);
  const progress = new ProgressLine(process.stderr, options.progress);
  const pending: Promise<void>[] = [];
  const onEvent = (e: RuntimeEvent): void => {
    if (e.kind === 'output') {
      progress.beforeOutput();
      pending.push(writeSync(e.stream === 'stdout' ? process.stdout : process.stderr, e.data));
    } else if (e.kind === 'fuel') {
      progress.onFuel(e.consumed, e.elapsedMs);
    } else if (e.kind === 'anomaly') {
      progress.beforeOutput();
      process.stderr.write(`[wasiscope] anomaly: ${e.message}\n`);
    }
  };
  const run = startObservedRun(options, onEvent);
  const interrupt = (): void => void run.handle.terminate();
  process.once('SIGINT', interrupt);
  const outcome = await run.outcome;
  process.off('SIGINT', interrupt);
  await Promise.all(pending);
  progress.finish();
  const { result, report, warnings, overBudget } = outcome;
  if (result.loadError) {
    process.stderr.write(`wasiscope: ${result.loadError}\n`);
    return EXIT_LAUNCH_FAILED;
  }
  if (result.trap) {
    const { kind, message } = result.trap;
    process.stderr.write(`wasiscope: ${message.startsWith(kind) ? message : `${kind}: ${message}`}\n`);
  }
  for (const w of warnings) process.stderr.write(`wasiscope: warning: ${w}\n`);
  if (options.summary) process.stderr.write(formatReportSummary(report) + '\n');
  if (overBudget) {
    process.stderr.write(`wasiscope: fuel budget exceeded: consumed ${overBudget.consumed} > budget ${overBudget.budget}\n`);
    return EXIT_OVER_BUDGET;
  }
  return result.exitCode;
}
