#!/usr/bin/env node
// `npm run check`: what the repository's test command runs for this package — the build, the
// tests, then the synthesis of the example app (`npm test` then `npm run synth`, the build done
// once) — each step timed, and the total. Stops at the first step that fails, with its status.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const node = process.execPath;
const tests = () =>
  fs
    .readdirSync(path.join(root, 'build', 'test'))
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join('build', 'test', f));

const steps = [
  ['build', () => [node, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']]],
  ['tests', () => [node, ['--test', ...tests()]]],
  ['synth', () => [node, [path.join('scripts', 'synth.js')]]],
];

const started = process.hrtime.bigint();
const seconds = (since) => (Number(process.hrtime.bigint() - since) / 1e9).toFixed(1);
const times = [];
let status = 0;
for (const [name, command] of steps) {
  const [file, args] = command();
  console.error(`==> check: ${name}`);
  const stepStarted = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit' });
  times.push(`${name} ${seconds(stepStarted)} s`);
  if (result.error || result.status !== 0) {
    status = result.status || 1;
    console.error(`check: ${name} failed (${result.error ? result.error.message : `exit status ${result.status}`})`);
    break;
  }
}
console.error(`check: ${status === 0 ? 'passed' : 'FAILED'} in ${seconds(started)} s (${times.join(', ')})`);
process.exit(status);
