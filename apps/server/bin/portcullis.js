#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the CLI lives in dist/.
// The commands that only read a config and its rules start from the one-file bundle of the CLI
// (scripts/bundle-cli.mjs: start-up time); the others, the server among them, from dist/cli.js.
const BUNDLED = new Set(['replay', 'logtest', 'check-config']);
const entry = BUNDLED.has(process.argv[2]) ? '../dist/cli.bundle.js' : '../dist/cli.js';
import(entry).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(entry.slice(3))) {
    console.error('portcullis: not built yet; run `npm run build` (or `npm start`) in the repository first');
    process.exit(1);
  }
  throw err;
});
