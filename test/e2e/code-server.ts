// code-server (a real VS Code in a browser) for the end-to-end test: installed on demand outside the
// repository by setup-code-server.sh, an extension installed into a fresh extensions dir, and the
// server started on 127.0.0.1 in its own process group so that stopping it ends the file watcher
// and extension host it forks too. See ../shared/recipes/real-vscode.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const setupScript = fileURLToPath(new URL('./setup-code-server.sh', import.meta.url));

export interface CodeServerInstall {
  node24: string;
  entry: string;
}

/** The installed code-server, installing it first when missing (minutes); or why it cannot be. */
export function ensureCodeServer(): CodeServerInstall | { unavailable: string } {
  const res = spawnSync('bash', [setupScript], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (res.status === 0) {
    const get = (k: string): string | undefined => res.stdout.match(new RegExp(`^${k}=(.*)$`, 'm'))?.[1];
    const node24 = get('NODE24');
    const entry = get('CODE_SERVER_ENTRY');
    if (node24 && entry && existsSync(node24) && existsSync(entry)) return { node24, entry };
    return { unavailable: `setup-code-server.sh printed no paths: ${res.stdout}` };
  }
  const why = (res.stderr || res.error?.message || '').trim().split('\n').slice(-12).join('\n');
  return { unavailable: `code-server could not be installed (setup-code-server.sh exit ${res.status ?? res.signal}): ${why}` };
}

/** Environment that keeps code-server's own files (config, data) inside `home`, not in ~. */
function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    CODE_SERVER_CONFIG: join(home, 'config.yaml'),
    // The extension host must not inherit a debugger or tsx loader from the test process.
    NODE_OPTIONS: '',
  };
}

export interface Profile {
  /** Scratch home for code-server's config. */
  home: string;
  extensionsDir: string;
  userDataDir: string;
}

export function makeProfile(root: string): Profile {
  const p = { home: join(root, 'home'), extensionsDir: join(root, 'extensions'), userDataDir: join(root, 'user-data') };
  for (const d of Object.values(p)) mkdirSync(d, { recursive: true });
  return p;
}

/** `code-server --install-extension`; returns its output (it says which extension and version). */
export function installExtension(cs: CodeServerInstall, profile: Profile, vsix: string): string {
  const res = spawnSync(
    cs.node24,
    [cs.entry, '--install-extension', vsix, '--force', '--extensions-dir', profile.extensionsDir, '--user-data-dir', profile.userDataDir],
    { encoding: 'utf8', env: isolatedEnv(profile.home), timeout: 120_000 },
  );
  const out = `${res.stdout}${res.stderr}`;
  if (res.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (${res.status ?? res.signal}):\n${out}`);
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningServer {
  url: string;
  pid: number;
  logFile: string;
  /** Ends the server and everything it forked (its process group); safe to call twice. */
  stop(): Promise<void>;
}

/** Starts code-server on 127.0.0.1 and resolves once it answers HTTP. */
export async function startCodeServer(cs: CodeServerInstall, profile: Profile, workspace: string, logFile: string): Promise<RunningServer> {
  const port = await freePort();
  const args = [
    cs.entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--extensions-dir', profile.extensionsDir,
    '--user-data-dir', profile.userDataDir,
    workspace,
  ];
  return startServer(cs.node24, args, isolatedEnv(profile.home), port, 'healthz', logFile);
}

/**
 * Starts the VS Code server inside code-server (the same VS Code, without code-server's wrapper)
 * with the smoke-test driver enabled: only then does the web workbench take an extension under
 * development and an extension test suite from its URL (`payload`), which is how the extension
 * tests run in a real extension host here. `env` reaches the extension host.
 */
export async function startVsCodeServer(cs: CodeServerInstall, profile: Profile, logFile: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const serverMain = join(dirname(cs.entry), '..', '..', 'lib', 'vscode', 'out', 'server-main.js');
  if (!existsSync(serverMain)) throw new Error(`no VS Code server in the code-server package: ${serverMain}`);
  const args = [
    serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--telemetry-level', 'off',
    '--disable-workspace-trust',
    '--server-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
  ];
  return startServer(cs.node24, args, { ...isolatedEnv(profile.home), ...env }, port, 'version', logFile);
}

async function startServer(node: string, args: string[], env: NodeJS.ProcessEnv, port: number, probe: string, logFile: string): Promise<RunningServer> {
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(node, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${args[0]} did not start`);
  let exited = false;
  const exitedPromise = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone
    }
  };
  const stop = async (): Promise<void> => {
    killGroup('SIGTERM');
    const t = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(t);
    // Helpers of the group may outlive the leader by a moment: make sure none is left.
    killGroup('SIGKILL');
    log.end();
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${url}${probe}`);
      if (res.status < 500) return { url, pid, logFile, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250)); // polling interval
  }
  await stop();
  throw new Error(`${args[0]} did not answer on ${url} within 60 s; its log:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}
