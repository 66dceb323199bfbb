// The compiled-ruleset cache: a start-up whose rule, decoder and list files have not changed
// restores the ruleset from a snapshot (the engine's serializeRuleset) instead of compiling it,
// 0.5 s → a few ms for the OSSEC home. A snapshot is found by a key over everything the compile
// depends on (every file's path and text, the dialect and options, this engine's code, Node's
// version) and checked against its digest; one that is missing, corrupt, stale or refused by the
// engine is ignored and the ruleset compiled as if there were no cache. Only rulesets that compiled
// are stored, so every error is still reported by a compile, where and as it always was.
// Best effort: a cache that cannot be read or written costs the compile, never the command.
//
// A snapshot file holds the texts of the files it was compiled from too, and an index (one per
// config's list of files, engine and options) maps what stat() says of each file to the snapshot
// of their contents: a start whose files stat() as they did restores the ruleset, and the files as
// they were read, without reading or hashing them (10-15 ms of the OSSEC home's start). A file is
// trusted by its stat only when it had not changed for STAT_MARGIN_MS when the index was written
// (as git does with its index: a change within the timestamps' granularity can keep them). Any
// other start reads and hashes every file as before, and writes the index again. The index also
// records the stat() of the snapshot it verified: found so again, the snapshot is not hashed again,
// and such a start never loads node:crypto (~10% of a replay's start-up, with the stream modules
// it pulls in).
import { isAscii } from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { CompiledRuleset, EngineOptions, RulesetInput, SourceFile } from '@portcullis/engine';
import { SNAPSHOT_FORMAT, compileRuleset, restoreRuleset, serializeRuleset } from '@portcullis/engine';
import type { FileStat } from './ruleset-files.js';

export type CompileOptions = Pick<EngineOptions, 'dialect' | 'defaultTimeframe' | 'sidPrevMatchedMax'>;

let cryptoModule: typeof NodeCrypto | undefined;
/** node:crypto, loaded on first use (see above). */
function crypto(): typeof NodeCrypto {
  return (cryptoModule ??= createRequire(import.meta.url)('node:crypto') as typeof NodeCrypto);
}

/** Snapshots kept; older ones are removed when a new one is written. */
const KEEP = 8;

/** ~/.cache/portcullis (the user's home as the OS reports it), or null when there is no home. */
export function defaultCacheDir(): string | null {
  // An empty HOME gives '': a cache relative to the working directory would litter it.
  const home = homedir();
  return isAbsolute(home) ? join(home, '.cache', 'portcullis') : null;
}

/**
 * The bundled CLI (scripts/bundle-cli.mjs) carries the digest of the engine code bundled into it,
 * written in at build time: a bundle holds its own copy of the engine, which a later engine build
 * does not change, and hashing the engine's files costs every start.
 */
declare const PORTCULLIS_BUNDLED_ENGINE_DIGEST: string | undefined;

/** A digest of the engine's built code in `dir` (its dist): every .js file's path and bytes. */
export function engineDistDigest(dir = dirname(createRequire(import.meta.url).resolve('@portcullis/engine'))): string {
  const h = crypto().createHash('sha256');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.js')).sort();
  for (const f of files) h.update(`${f}\0`).update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex');
}

let engineCode: string | undefined;
/** A digest of the engine's code: a snapshot from other code (an upgrade, a rebuild) never fits. */
function engineCodeDigest(): string {
  engineCode ??= typeof PORTCULLIS_BUNDLED_ENGINE_DIGEST === 'string' ? PORTCULLIS_BUNDLED_ENGINE_DIGEST : engineDistDigest();
  return engineCode;
}

/** What a compile depends on besides its files. */
function compileIdentity(options: CompileOptions): string {
  return JSON.stringify({ format: SNAPSHOT_FORMAT, node: process.version, engine: engineCodeDigest(), dialect: options.dialect, defaultTimeframe: options.defaultTimeframe ?? null, sidPrevMatchedMax: options.sidPrevMatchedMax ?? null });
}

/** The key of a compile: everything its result depends on. */
export function rulesetCacheKey(input: RulesetInput, options: CompileOptions): string {
  const h = crypto().createHash('sha256');
  h.update(compileIdentity(options));
  for (const [kind, files] of [['decoders', input.decoders], ['rules', input.rules], ['lists', input.lists ?? []]] as const) {
    h.update(`\0${kind}:${files.length}`);
    for (const f of files) h.update(`\0${f.path}\0${f.text.length}\0`).update(f.text);
  }
  return h.digest('hex');
}

export interface CachedCompile {
  ruleset: CompiledRuleset;
  /** hit: restored from a snapshot; miss: compiled (and stored when it could be); off: no cache directory. */
  cache: 'hit' | 'miss' | 'off';
}

/**
 * compileRuleset through the cache in `dir`. Throws RulesetLoadError exactly as compileRuleset does.
 * Each call returns a ruleset of its own (callers may change it, as applying overrides does).
 */
export function compileRulesetCached(input: RulesetInput, options: CompileOptions, dir = defaultCacheDir()): CachedCompile {
  return compileKeyed(input, options, dir).compiled;
}

function compileKeyed(input: RulesetInput, options: CompileOptions, dir: string | null): { compiled: CachedCompile; key: string | null } {
  if (dir === null) return { compiled: { ruleset: compileRuleset(input, options), cache: 'off' }, key: null };
  const key = rulesetCacheKey(input, options);
  const file = snapshotFile(dir, key);
  const restored = readSnapshot(file, key);
  if (restored) {
    try {
      return { compiled: { ruleset: restoreRuleset(restored.json, input, options.dialect), cache: 'hit' }, key };
    } catch {
      // not for this engine: compile instead
    }
  }
  const ruleset = compileRuleset(input, options);
  const json = serializeRuleset(ruleset, input);
  const stored = json !== null && store(dir, file, key, input, json);
  return { compiled: { ruleset, cache: 'miss' }, key: stored ? key : null };
}

/**
 * compileRulesetCached of the files `stats` lists (rulesetStats), which `read` reads (rulesetFiles):
 * when the cache's index says they are unchanged since a snapshot was taken of them, neither read
 * nor hashed; the files are then the snapshot's copies, the very texts the ruleset was compiled
 * from. `stats` null (a file stat() failed): as compileRulesetCached of read().
 */
export function loadRulesetCached(
  stats: { decoders: FileStat[]; rules: FileStat[]; lists: FileStat[] } | null,
  read: () => RulesetInput,
  options: CompileOptions,
  dir = defaultCacheDir(),
  marginMs = STAT_MARGIN_MS,
): CachedCompile & { files: RulesetInput } {
  const index = dir !== null && stats !== null ? indexOf(dir, stats, options) : null;
  if (index !== null) {
    const hit = restoreByIndex(index, options, marginMs);
    if (hit) return { ruleset: hit.ruleset, files: hit.files, cache: 'hit' };
  }
  const files = read();
  const { compiled, key } = compileKeyed(files, options, dir);
  if (index !== null && key !== null) writeIndex(index, key);
  return { ...compiled, files };
}

/** Time a file must have stayed unchanged before an index trusts its stat (timestamps can be 2 s coarse). */
const STAT_MARGIN_MS = 3000;

interface Index {
  file: string;
  /** The stat of every file, in order. */
  stats: string;
  /** When the stats were taken; the latest change of a file. */
  at: number;
  changed: number;
  dir: string;
  /** The files' paths, in order, joined by NULs. */
  paths: string;
  identity: string;
}

/** 64 bits (two 32-bit multiplicative lanes) of `s`, as hex. */
function quickHash(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The stat() of `file` as text, or '' when it has none. */
function statOf(file: string): string {
  try {
    const st = statSync(file);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return '';
  }
}

interface IndexData {
  /** What the compile depended on besides its files (compileIdentity). */
  identity: string;
  stats: string;
  key: string;
  at: number;
  /** The stat() of the snapshot file, when it was found whole (its digest checked or just written). */
  snapshot: string;
}

function indexOf(dir: string, stats: { decoders: FileStat[]; rules: FileStat[]; lists: FileStat[] }, options: CompileOptions): Index {
  const all = [...stats.decoders, ...stats.rules, ...stats.lists];
  const counts = `${stats.decoders.length},${stats.rules.length},${stats.lists.length}`;
  const paths = all.map((f) => f.path).join('\0');
  const identity = compileIdentity(options);
  // The name only finds the index (what it holds is compared whole): a hash needing no node:crypto,
  // of a few of the paths (all of them cost ~1 ms at start, hashed by code that is not compiled yet).
  const some = `${all[0]?.path ?? ''}\0${all[all.length >> 1]?.path ?? ''}\0${all[all.length - 1]?.path ?? ''}`;
  return { file: join(dir, `files-${quickHash(`${identity}\0${counts}\0${some}`)}.json`), identity, stats: `${counts}\0${all.map((f) => `${f.path}\0${f.stat}`).join('\0')}`, at: Date.now(), changed: Math.max(0, ...all.map((f) => f.changedMs)), dir, paths };
}

function restoreByIndex(index: Index, options: CompileOptions, marginMs: number): { ruleset: CompiledRuleset; files: RulesetInput } | null {
  let data: IndexData;
  try {
    data = JSON.parse(readFileSync(index.file, 'utf8')) as IndexData;
  } catch {
    return null;
  }
  // The files must be as the index saw them, and had stayed so long enough before then.
  if (data.identity !== index.identity || data.stats !== index.stats || !(index.changed < data.at - marginMs) || typeof data.key !== 'string') return null;
  const snap = readSnapshot(snapshotFile(index.dir, data.key), data.key, data.snapshot);
  const f = snap?.files;
  if (!f || [...f.decoders, ...f.rules, ...(f.lists ?? [])].map((s) => s.path).join('\0') !== index.paths) return null;
  try {
    return { ruleset: restoreRuleset(snap.json, snap.files, options.dialect), files: snap.files };
  } catch {
    return null;
  }
}

function writeIndex(index: Index, key: string): void {
  const data: IndexData = { identity: index.identity, stats: index.stats, key, at: index.at, snapshot: statOf(snapshotFile(index.dir, key)) };
  atomicWrite(index.file, JSON.stringify(data));
}

function snapshotFile(dir: string, key: string): string {
  return join(dir, `ruleset-${key.slice(0, 40)}.json`);
}

// A snapshot file: a header line, then the texts of the files compiled (their paths and lengths
// in the header), then the engine's snapshot. The digest covers all after the header.
interface Header {
  format: number;
  key: string;
  digest: string;
  /** The files' paths and text lengths, the decoders', the rules' and the lists'. */
  files: [[string, number][], [string, number][], [string, number][]];
}

/** The snapshot in `file`, checked against its digest unless its stat() is still `whole` (see IndexData). */
function readSnapshot(file: string, key: string, whole?: string): { json: string; files: RulesetInput } | null {
  let buf: Buffer;
  let stat = '';
  try {
    buf = readFileSync(file);
    if (whole) stat = statOf(file);
  } catch {
    return null;
  }
  try {
    const nl = buf.indexOf(10);
    if (nl < 0) return null;
    const header = JSON.parse(buf.toString('utf8', 0, nl)) as Header;
    if (header.format !== SNAPSHOT_FORMAT || header.key !== key) return null;
    const rest = buf.subarray(nl + 1);
    if (!(whole && stat === whole) && crypto().createHash('sha256').update(rest).digest('hex') !== header.digest) return null;
    // ASCII (as JSON and rule files mostly are) read as one-byte text: no UTF-8 decoding
    const body = isAscii(rest) ? rest.toString('latin1') : rest.toString('utf8');
    let at = 0;
    const take = (list: [string, number][]): SourceFile[] =>
      list.map(([path, length]) => {
        const text = body.slice(at, at + length);
        at += length;
        return { path, text };
      });
    const [decoders, rules, lists] = header.files;
    const files: RulesetInput = { decoders: take(decoders), rules: take(rules), lists: take(lists) };
    if (at > body.length) return null;
    return { json: body.slice(at), files };
  } catch {
    return null; // corrupt: compile instead
  }
}

function store(dir: string, file: string, key: string, input: RulesetInput, json: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const all = [input.decoders, input.rules, input.lists ?? []];
    const body = Buffer.from(`${all.map((l) => l.map((f) => f.text).join('')).join('')}${json}`, 'utf8');
    const files = all.map((l) => l.map((f): [string, number] => [f.path, f.text.length])) as Header['files'];
    const header: Header = { format: SNAPSHOT_FORMAT, key, digest: crypto().createHash('sha256').update(body).digest('hex'), files };
    if (!atomicWrite(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), body]))) return false;
    prune(dir);
    return true;
  } catch {
    return false; // a read-only or full disk: the next start compiles again
  }
}

/** Writes `file` whole or not at all (readers see the old one or the new one); false when it could not. */
function atomicWrite(file: string, data: string | Buffer): boolean {
  const tmp = `${file}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

function prune(dir: string): void {
  for (const prefix of ['ruleset-', 'files-']) pruneOf(dir, prefix);
}

function pruneOf(dir: string, prefix: string): void {
  const snaps = readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && (n.endsWith('.json') || n.endsWith('.tmp')))
    .map((n) => {
      const p = join(dir, n);
      return { p, t: statSync(p).mtimeMs, tmp: n.endsWith('.tmp') };
    })
    .sort((a, b) => b.t - a.t);
  const now = snaps[0]?.t ?? 0;
  let kept = 0;
  for (const s of snaps) {
    // a .tmp an hour old is a write that died; a younger one may be another process's, mid-write
    if (s.tmp ? now - s.t > 3_600_000 : ++kept > KEEP) rmSync(s.p, { force: true });
  }
}
