#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the CLI lives in dist/.
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    console.error('portcullis: not built yet; run `npm run build` (or `npm start`) in the repository first');
    process.exit(1);
  }
  throw err;
});
