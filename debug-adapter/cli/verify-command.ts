// `wasiscope verify TRAIL [--key KEY]`: checks the hash chain of an audit trail; says which line
// was edited, removed or reordered.
import { verifyAuditLog } from '../wasi/audit-log';
import { UsageError } from './run-args';

export function verifyCommand(argv: string[]): number {
  let key: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--key') {
      key = argv[++i];
      if (key === undefined) throw new UsageError('--key needs a value');
    } else files.push(argv[i]);
  }
  if (files.length !== 1) throw new UsageError('usage: wasiscope verify <trail.jsonl> [--key KEY]');
  const r = verifyAuditLog(files[0], { key });
  if (r.ok) {
    process.stdout.write(`ok: ${r.records} events, chain intact (last hash ${r.lastHash.slice(0, 16)}…)\n`);
    return 0;
  }
  const p = r.problem;
  process.stdout.write(`BROKEN: ${p ? `line ${p.line}: ${p.kind}: ${p.message}` : 'unknown problem'} (${r.records} events verified before it)\n`);
  return 1;
}
