// Builds the demo into dist/: index.html, app.js (React, @missive/client, @missive/react and
// the app, minified), app.css and sw.js (the service worker that shows pushes). It first builds ../js and ../react, whose dist/ the bundle
// takes in. With --check it builds into a temporary directory and fails when that differs from
// the committed dist/ (CI runs it: the committed dist/ is what `cargo run -p missive-local`
// serves on a fresh clone).

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const dist = join(root, 'dist');
const out = check ? mkdtempSync(join(tmpdir(), 'missive-demo-dist-')) : dist;

function npm(args, cwd) {
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd, stdio: 'inherit' });
}

// The client and the bindings: their dependencies (TypeScript) installed if they are not yet,
// then `npm run build` of clients/react, which builds clients/js first.
for (const pkg of ['js', 'react']) {
  const dir = resolve(root, '..', pkg);
  if (!existsSync(join(dir, 'node_modules'))) npm(['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir);
}
npm(['run', 'build', '--silent'], resolve(root, '..', 'react'));

// One React: @missive/react's dist would otherwise find the copy in clients/react/node_modules
// (its development dependency) and the app this package's, and hooks break across two copies.
const require = createRequire(join(root, 'package.json'));
const oneReact = {
  name: 'one-react',
  setup(build) {
    build.onResolve({ filter: /^(react|react-dom|scheduler)(\/.*)?$/ }, (args) => ({
      path: require.resolve(args.path),
    }));
  },
};

if (!check) rmSync(dist, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  absWorkingDir: root,
  // The service worker is a bundle of its own: it runs apart from the page, without React.
  entryPoints: { app: 'src/main.tsx', sw: 'src/sw.ts' },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
  plugins: [oneReact],
});
copyFileSync(join(root, 'src', 'index.html'), join(out, 'index.html'));

if (check) {
  const built = names(out);
  const committed = names(dist);
  const differing = [...new Set([...built, ...committed])].filter(
    (name) =>
      !built.includes(name) ||
      !committed.includes(name) ||
      !readFileSync(join(out, name)).equals(readFileSync(join(dist, name))),
  );
  rmSync(out, { recursive: true, force: true });
  if (differing.length > 0) {
    console.error(
      `clients/demo/dist is not what the sources build (${differing.join(', ')} differ): run \`npm run build\` in clients/demo and commit dist/`,
    );
    process.exit(1);
  }
  console.log('clients/demo/dist is up to date');
} else {
  console.log(`built ${names(dist).join(', ')} into clients/demo/dist`);
}

function names(dir) {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
