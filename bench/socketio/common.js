// Helpers shared by load.js and the Missive target (missive.js): clocks,
// /proc readings, percentiles, starting and stopping a server process, and
// opening many connections with a bounded number in flight.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

export function die(msg, code = 2) {
  process.stderr.write(`load.js: ${msg}\n`);
  process.exit(code);
}

export const log = (msg) => process.stderr.write(`[load] ${msg}\n`);

// ---------------------------------------------------------------- clocks
export const now = () => process.hrtime.bigint();
export const nsToMs = (ns) => Number(ns) / 1e6;
export const round2 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- /proc
// Soft and hard open-file limits of this process.
export function openFileLimits() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const m = limits.match(/^Max open files\s+(\S+)\s+(\S+)/m);
  const num = (v) => (v === 'unlimited' ? Infinity : Number(v));
  return m ? { soft: num(m[1]), hard: num(m[2]) } : { soft: Infinity, hard: Infinity };
}

export function procStatusKb(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'));
  return m ? Number(m[1]) : null;
}

// Machine-wide CPU busy % (all cores, 100 = every core busy) over `ms`,
// from /proc/stat: shows whether something else was using the CPU.
export async function hostBusyPct(ms = 1000) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0); // idle + iowait
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(ms);
  const b = read();
  const total = b.total - a.total;
  return total > 0 ? round2((1 - (b.idle - a.idle) / total) * 100) : null;
}

// Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ).
export const CLK_TCK = (() => {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(v) && v > 0 ? v : 100;
  } catch {
    return 100; // the Linux value on every common architecture
  }
})();

// utime + stime of a process (all its threads) in ms; resolution 1000/CLK_TCK ms.
export function procCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // fields 14 and 15 of stat
}

// user + system CPU of this (load) process in ms.
export function selfCpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Nearest-rank percentile of an ascending-sorted array.
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

// ---------------------------------------------------------------- server process
// Server children still running, and temporary directories to remove: cleaned
// up if load.js exits early.
const liveServers = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const c of liveServers) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// Removed at exit at the latest (also on an early exit).
export function registerTempDir(dir) {
  tempDirs.add(dir);
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

// Starts `cmd args` and waits for a stdout line matching `ready` (a RegExp);
// resolves with the match. With `firstLine`, the first stdout line must match;
// otherwise earlier lines are passed through to stderr. Later lines go to
// stderr as `[server] …`; the server's stderr is inherited.
export async function spawnServer({ cmd, args = [], env = process.env, ready, firstLine = false, timeoutMs = 10_000 }) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  liveServers.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => {
    liveServers.delete(child);
    resolve({ code, sig });
  }));
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  const rl = createInterface({ input: child.stdout });
  const forward = (line) => process.stderr.write(`[server] ${line}\n`);
  let timer;
  let onLine;
  try {
    const match = await Promise.race([
      spawnError,
      new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`server did not print ${ready} within ${timeoutMs / 1000} s`)), timeoutMs);
        onLine = (line) => {
          const m = line.match(ready);
          if (m) resolve(m);
          else if (firstLine) reject(new Error(`unexpected first line from server: ${line}`));
          else forward(line);
        };
        rl.on('line', onLine);
        exited.then(({ code, sig }) => reject(new Error(`server exited early (code ${code}, signal ${sig})`)));
      }),
    ]);
    rl.off('line', onLine);
    rl.on('line', forward);
    return {
      pid: child.pid,
      match,
      child,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- connections
// Runs connect(i) for i in 0..n with at most `concurrency` in flight; a
// rejected attempt counts as failed. `onResult(ok)` after each attempt.
export async function connectAll(n, concurrency, connect, onResult) {
  const sockets = new Array(n);
  let nextIdx = 0;
  let failed = 0;
  let firstError = null;
  async function worker() {
    while (nextIdx < n) {
      const idx = nextIdx++;
      try {
        sockets[idx] = await connect(idx);
        if (onResult) onResult(true);
      } catch (err) {
        failed++;
        if (!firstError) firstError = err;
        if (onResult) onResult(false);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { sockets: sockets.filter(Boolean), failed, firstError };
}
