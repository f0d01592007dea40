// The extension tests' entry for @vscode/test-electron (extensionTestsPath): VS Code's extension
// host calls run() and reads a rejection as failure. No mocha: tests run in order with node:assert,
// each reported on its own line. WASISCOPE_SUITE_RESULTS, when set, names a JSON file the results
// are written to as well (the code-server run reads it, since it has no process exit code to give).
import { writeFileSync } from 'node:fs';
import { f5Journey, type SuiteTest } from './f5-journey';

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export async function run(): Promise<void> {
  const tests: SuiteTest[] = [...f5Journey()];
  const results: Result[] = [];
  let blocked: string | undefined;
  for (const t of tests) {
    const t0 = Date.now();
    if (blocked) {
      // The journey is one story: after a failed essential step the next ones would only fail for the same reason.
      results.push({ name: t.name, ok: false, ms: 0, error: `not run: '${blocked}' failed` });
      console.error(`- ${t.name} (not run)`);
      continue;
    }
    try {
      await t.run();
      results.push({ name: t.name, ok: true, ms: Date.now() - t0 });
      console.log(`✔ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      if (t.essential) blocked = t.name;
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      results.push({ name: t.name, ok: false, ms: Date.now() - t0, error });
      console.error(`✖ ${t.name}\n${error}`);
    }
  }
  const file = process.env.WASISCOPE_SUITE_RESULTS;
  if (file) writeFileSync(file, JSON.stringify(results, null, 2));
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) throw new Error(`${bad.length} of ${results.length} extension tests failed: ${bad.map((r) => r.name).join('; ')}`);
}
