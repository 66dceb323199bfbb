#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the CLI lives in dist/.
// The commands that only read a config and its rules start from the one-file CommonJS bundle of the
// CLI (scripts/bundle-cli.mjs: start-up time), run with V8's code cache (run-bundle.js); the others,
// the server among them, from dist/cli.js.
// CommonJS itself (bin/package.json), so a bundled command never loads Node's ES module loader.
'use strict';

const BUNDLED = new Set(['replay', 'logtest', 'check-config']);

function notBuilt() {
  console.error('portcullis: not built yet; run `npm run build` (or `npm start`) in the repository first');
  process.exit(1);
}

if (BUNDLED.has(process.argv[2])) {
  const bundle = require('node:path').join(__dirname, '..', 'dist', 'cli.bundle.cjs');
  if (!require('node:fs').existsSync(bundle)) notBuilt();
  require('./run-bundle.js')(bundle);
} else {
  import('../dist/cli.js').catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) notBuilt();
    throw err;
  });
}
