// The size of the package in the current directory, as an app would ship it, against its
// committed budget (size-budget.json: gzip bytes per entry of package.json's `exports`).
//
// For each entry, its `import` file and every file of this package it imports (relative
// specifiers, followed through the build), comments left out (by TypeScript's transpiler, so
// that documenting does not count), concatenated and gzipped (level 9) — about what a bundler
// puts in an app before minifying. Other packages
// (the client for the React bindings, React) are not counted: they are the app's. `--update`
// writes the budget as today's size plus a tenth, rounded up to 100 bytes.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = process.cwd();
const update = process.argv.includes('--update');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const budgetPath = join(root, 'size-budget.json');
const ts = createRequire(join(root, 'package.json'))('typescript');
const withoutComments = (code, fileName) =>
  ts.transpileModule(code, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true },
  }).outputText;

const sizes = {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object' || !target.import) continue;
  const files = closure(resolve(root, target.import));
  const code = files.map((file) => withoutComments(readFileSync(file, 'utf8'), file)).join('\n');
  sizes[subpath] = {
    gzipBytes: gzipSync(code, { level: 9 }).length,
    bytes: Buffer.byteLength(code),
    files: files.length,
  };
}

if (update) {
  const withMargin = (bytes) => Math.ceil((bytes * 1.1) / 100) * 100;
  const budget = Object.fromEntries(
    Object.entries(sizes).map(([subpath, { gzipBytes }]) => [subpath, { gzipBytes: withMargin(gzipBytes) }]),
  );
  writeFileSync(budgetPath, `${JSON.stringify(budget, null, 2)}\n`);
  console.log(`${budgetPath} written`);
}

const budget = existsSync(budgetPath) ? JSON.parse(readFileSync(budgetPath, 'utf8')) : {};
const over = [];
for (const [subpath, size] of Object.entries(sizes)) {
  const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const limit = budget[subpath]?.gzipBytes;
  console.log(
    `${name}: ${size.gzipBytes} bytes gzipped (${size.bytes} bytes, ${size.files} files); budget ${limit ?? 'none'}`,
  );
  if (limit === undefined || size.gzipBytes > limit) over.push(name);
}
if (over.length > 0) {
  console.error(
    `over budget or without one: ${over.join(', ')}. Make it smaller, or raise size-budget.json ` +
      '(`node ../scripts/size-budget.mjs --update`) and say why in the commit.',
  );
  process.exit(1);
}

/** `entry` and the files of this package it imports, each once, in the order first reached. */
function closure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    if (!existsSync(file)) {
      console.error(`${relative(root, file)} is missing: run \`npm run build\` first`);
      process.exit(1);
    }
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    // tsc's output: `import … from './x.js'`, `export … from './x.js'`, `import './x.js'`.
    for (const match of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?['"](\.{1,2}\/[^'"]+)['"]/g)) {
      visit(resolve(dirname(file), match[1]));
    }
  };
  visit(entry);
  return [...seen];
}
