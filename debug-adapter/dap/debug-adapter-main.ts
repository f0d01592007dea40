// The debug adapter as a separate process speaking DAP over stdio: what package.json's
// contributes.debuggers[0].program names (bundled to dist/debugAdapter.js), for tests and for
// editors other than VS Code. VS Code itself runs the same session inline by default.
import { DebugSession } from '@vscode/debugadapter';
import { WasiDebugSession } from './wasi-debug-session';

DebugSession.run(WasiDebugSession);
