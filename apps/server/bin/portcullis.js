#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the CLI lives in dist/.
// The commands that only read a config and its rules start from the one-file CommonJS bundle of the
// CLI (scripts/bundle-cli.mjs: start-up time); the others, the server among them, from dist/cli.js.
// CommonJS itself (bin/package.json), so a bundled command never loads Node's ES module loader.
'use strict';

const BUNDLED = new Set(['replay', 'logtest', 'check-config']);

function notBuilt() {
  console.error('portcullis: not built yet; run `npm run build` (or `npm start`) in the repository first');
  process.exit(1);
}

if (BUNDLED.has(process.argv[2])) {
  let bundle;
  try {
    bundle = require.resolve('../dist/cli.bundle.cjs');
  } catch {
    notBuilt();
  }
  require(bundle);
} else {
  import('../dist/cli.js').catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) notBuilt();
    throw err;
  });
}
