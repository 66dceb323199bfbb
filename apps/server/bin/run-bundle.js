// Runs the CLI bundle (dist/cli.bundle.cjs) as require() would, but with V8's code cache for it,
// kept in ~/.cache/portcullis: compiling the 400 KB bundle, and then each function it runs on
// first use, was ~15% of a replay's start-up. (Node 22's module.enableCompileCache() does this for
// every module; Node 20 has nothing of the kind.) A cache file is for one bundle file (its size,
// mtime and inode are in the name) on one Node; the cache is written after a run without one or
// whose cache V8 refused, once the command is done (so it holds the functions the command ran).
// Best effort: a cache that cannot be read or written costs the compile, never the command.
'use strict';

const fs = require('node:fs');
const { homedir } = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');
const vm = require('node:vm');

/** Cache files kept, the newest first (one per bundle build a user ran). */
const KEEP = 4;

function cacheFileOf(file) {
  const home = homedir();
  if (!path.isAbsolute(home)) return null; // an empty HOME: no cache rather than one in the working directory
  const st = fs.statSync(file);
  const id = `${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}-${st.ino}`;
  return path.join(home, '.cache', 'portcullis', `cli-${id}.v8-cache`);
}

function store(cacheFile, script) {
  try {
    const dir = path.dirname(cacheFile);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    const old = fs
      .readdirSync(dir)
      .filter((n) => n.startsWith('cli-') && n.endsWith('.v8-cache'))
      .map((n) => ({ p: path.join(dir, n), t: fs.statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(KEEP);
    for (const o of old) fs.rmSync(o.p, { force: true });
  } catch {
    // a read-only or full disk: the next run compiles again
  }
}

/**
 * Runs `file`, a CommonJS bundle with no import() (scripts/bundle-cli.mjs checks). `store: false`
 * (a worker thread of a command) reads the code cache but leaves writing it to the main thread.
 */
module.exports = function runBundle(file, { store: storeCache = true } = {}) {
  const source = fs.readFileSync(file, 'utf8');
  let cacheFile = null;
  let cachedData;
  try {
    cacheFile = cacheFileOf(file);
    if (cacheFile !== null) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet
  }
  // The CommonJS wrapper on the bundle's first line, so its line numbers stay the file's.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (storeCache && cacheFile !== null && (cachedData === undefined || script.cachedDataRejected)) process.once('exit', () => store(cacheFile, script));
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
};
