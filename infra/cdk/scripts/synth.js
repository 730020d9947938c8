#!/usr/bin/env node
// `npm run synth`: `cdk synth --quiet -o cdk.out` of the example app, writing
// cdk.out/Missive.template.json. Without MISSIVE_LAMBDA_DIR it synthesizes with placeholder
// binaries (.placeholder-lambda/<crate>/bootstrap), so that the template can be checked without a
// Rust build; a deployment builds the real ones first (cargo lambda build --release --arm64) and
// runs `npx cdk deploy`, which reads target/lambda. Needs no AWS credentials: the stack is
// env-agnostic and makes no lookups.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const { ALL_CRATES } = require(path.join(root, 'build', 'lib'));

// No telemetry, no version check: synthesis talks to nobody.
const env = { CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1', ...process.env };
if (!env.MISSIVE_LAMBDA_DIR) {
  const placeholders = path.join(root, '.placeholder-lambda');
  for (const crate of ALL_CRATES) {
    fs.mkdirSync(path.join(placeholders, crate), { recursive: true });
    fs.writeFileSync(
      path.join(placeholders, crate, 'bootstrap'),
      `#!/bin/sh\n# Placeholder for ${crate}: build the real binary with cargo lambda build --release --arm64.\nexit 1\n`,
      { mode: 0o755 },
    );
  }
  env.MISSIVE_LAMBDA_DIR = placeholders;
  console.error(`synth: MISSIVE_LAMBDA_DIR unset, placeholder binaries in ${path.relative(process.cwd(), placeholders) || '.'}`);
}

const cdk = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'cdk.cmd' : 'cdk');
const result = spawnSync(cdk, ['synth', '--quiet', '-o', 'cdk.out', ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
if (result.error) {
  throw result.error;
}
process.exit(result.status ?? 1);
