// Starting the missive-local binary and waiting until it says where it listens. Node built-ins
// only: the demo's browser tests (clients/demo/test/support/demo.js) import this file by its
// relative path too, so it must not pull in this package's dependencies or its build.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs `binary` with `args` and `env` (over the process's environment, RUST_LOG `warn` unless
 * MISSIVE_TEST_LOG says otherwise; stderr echoed when it is set). Resolves with `base`, the
 * address from its "Missive listening on <base>" line, the `child`, `exited` (resolves with
 * `{ code, signal }`), `stop()` (SIGTERM, SIGKILL after 5 s; resolves once it exited) and
 * `stderr()` (what it has logged so far, for a failing test to show); fails
 * if it exits first, cannot run, or says nothing within 30 s.
 */
export function spawnLocal({ binary, args, env = {} }) {
  const child = spawn(binary, args, {
    env: { ...process.env, RUST_LOG: process.env.MISSIVE_TEST_LOG || 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (process.env.MISSIVE_TEST_LOG) process.stderr.write(chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`missive-local did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${binary} (set MISSIVE_LOCAL_BIN): ${error.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`missive-local exited (${code ?? signal}) before listening: ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const prefix = 'Missive listening on ';
      if (!line.startsWith(prefix)) return;
      clearTimeout(timer);
      resolve({ base: line.slice(prefix.length).trim(), child, exited, stop, stderr: () => stderr });
    });
  });
}
