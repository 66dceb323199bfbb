#!/usr/bin/env node
// Bundles the CLI for the commands that only read a config and its rules (replay, logtest,
// check-config) into one CommonJS file, dist/cli.bundle.cjs, which bin/portcullis.js (CommonJS too)
// requires for them: loading ~50 ES modules one by one (resolve, read, compile, link each) was a
// third of a replay's start-up, and Node's ES module loader itself costs ~15 ms more than require.
// Each command's modules, and the Node built-ins they import, are initialised only when the command
// is run (esbuild wraps the modules dist/cli.js imports dynamically): check-config's child_process
// alone cost a replay 20 ms.
// Run after tsc (the `build` script): it bundles dist/cli.js, so it runs the very code the tests run.
//
// - The other commands (start, user, host, ca, block, release) stay out of the bundle: they run
//   from dist/ as they are (start's worker threads are files beside their modules), as the launcher
//   runs them from dist/cli.js; in the bundle they are a stub that says so. The bundle has no
//   import() left: bin/run-bundle.js runs it as a vm.Script (for V8's code cache), where Node 20
//   has no dynamic import.
// - Native modules (re2, better-sqlite3) are loaded by require at run time, from node_modules.
// - The bundle sits in dist/ beside dist/cli.js, so paths read from import.meta.url (given by the
//   banner below) and createRequire resolve as they do from dist/. It is strict code, as modules are.
// - The compiled-ruleset cache keys snapshots by the engine's code: the digest of the engine files
//   bundled is written into the bundle (PORTCULLIS_BUNDLED_ENGINE_DIGEST), the same digest the
//   unbundled dist computes from those files, so both share the cache when their engine is the same.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { engineDistDigest } from '../dist/config/ruleset-cache.js';

const server = join(import.meta.dirname, '..');
const engineDist = dirname(import.meta.resolve('@portcullis/engine').replace(/^file:\/\//, ''));

/** Imports of dist/cli.js left to dist/ (see above). */
const LEFT_OUT = /^\.\/cli\/(start|user|host|ca|block|release)\.js$/;

const dist = join(server, 'dist');
const digest = engineDistDigest(engineDist);
const result = await build({
  entryPoints: [join(dist, 'cli.js')],
  outfile: join(dist, 'cli.bundle.cjs'),
  bundle: true,
  format: 'cjs',
  banner: { js: '"use strict";\nconst __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: ['re2', 'better-sqlite3'],
  define: { PORTCULLIS_BUNDLED_ENGINE_DIGEST: JSON.stringify(digest), 'import.meta.url': '__importMetaUrl' },
  metafile: true,
  charset: 'ascii',
  logLevel: 'warning',
  plugins: [
    {
      name: 'left-out-commands',
      setup(b) {
        b.onResolve({ filter: LEFT_OUT }, (args) => ({ path: args.path, namespace: 'left-out' }));
        b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
          contents: `throw new Error(${JSON.stringify(`${args.path} is not in the bundle: bin/portcullis.js runs this command from dist/cli.js`)});`,
          loader: 'js',
        }));
      },
    },
  ],
});
const bundleText = readFileSync(join(dist, 'cli.bundle.cjs'), 'utf8');
if (/\bimport\(/.test(bundleText)) {
  console.error('bundle-cli: the bundle has an import() left, which bin/run-bundle.js cannot run');
  process.exit(1);
}
// esbuild writes strings, regexes and names in ASCII (charset: ascii), but keeps the comments it
// keeps as they are: a character beyond ASCII in one made the whole 400 KB source two-byte text
// for V8 (twice the memory, slower to read and scan at every start). Each becomes a '?' (one
// character for one, so the source map's columns still hold).
const ascii = bundleText.replace(/[^\x00-\x7f]/g, '?');
if (ascii !== bundleText) writeFileSync(join(dist, 'cli.bundle.cjs'), ascii);
// The engine must not have changed under the bundle (a build of it running beside this one).
if (engineDistDigest(engineDist) !== digest) {
  console.error('bundle-cli: the engine changed while it was bundled; build again');
  process.exit(1);
}
const inputs = Object.keys(result.metafile.inputs);
const heavy = inputs.filter((f) => /node_modules\/(fastify|socket\.io|pino|better-sqlite3|nodemailer)\//.test(f));
if (heavy.length > 0) {
  console.error(`bundle-cli: server-only packages reached the bundle: ${heavy.join(', ')}`);
  process.exit(1);
}
