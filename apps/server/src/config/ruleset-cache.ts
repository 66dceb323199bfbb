// The compiled-ruleset cache: a start-up whose rule, decoder and list files have not changed
// restores the ruleset from a snapshot (the engine's serializeRuleset) instead of compiling it,
// 0.5 s → a few ms for the OSSEC home. A snapshot is found by a key over everything the compile
// depends on (every file's path and text, the dialect and options, this engine's code, Node's
// version) and checked against its digest; one that is missing, corrupt, stale or refused by the
// engine is ignored and the ruleset compiled as if there were no cache. Only rulesets that compiled
// are stored, so every error is still reported by a compile, where and as it always was.
// Best effort: a cache that cannot be read or written costs the compile, never the command.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { CompiledRuleset, EngineOptions, RulesetInput } from '@portcullis/engine';
import { SNAPSHOT_FORMAT, compileRuleset, restoreRuleset, serializeRuleset } from '@portcullis/engine';

export type CompileOptions = Pick<EngineOptions, 'dialect' | 'defaultTimeframe' | 'sidPrevMatchedMax'>;

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
  const h = createHash('sha256');
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

/** The key of a compile: everything its result depends on. */
export function rulesetCacheKey(input: RulesetInput, options: CompileOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: SNAPSHOT_FORMAT, node: process.version, engine: engineCodeDigest(), dialect: options.dialect, defaultTimeframe: options.defaultTimeframe ?? null, sidPrevMatchedMax: options.sidPrevMatchedMax ?? null }));
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
  if (dir === null) return { ruleset: compileRuleset(input, options), cache: 'off' };
  const key = rulesetCacheKey(input, options);
  const file = join(dir, `ruleset-${key.slice(0, 40)}.json`);
  const restored = tryRestore(file, key, input, options);
  if (restored) return { ruleset: restored, cache: 'hit' };
  const ruleset = compileRuleset(input, options);
  const json = serializeRuleset(ruleset, input);
  if (json !== null) store(dir, file, key, json);
  return { ruleset, cache: 'miss' };
}

interface Header {
  format: number;
  key: string;
  digest: string;
}

function tryRestore(file: string, key: string, input: RulesetInput, options: CompileOptions): CompiledRuleset | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const nl = text.indexOf('\n');
    if (nl < 0) return null;
    const header = JSON.parse(text.slice(0, nl)) as Header;
    const body = text.slice(nl + 1);
    if (header.format !== SNAPSHOT_FORMAT || header.key !== key) return null;
    if (createHash('sha256').update(body).digest('hex') !== header.digest) return null;
    return restoreRuleset(body, input, options.dialect);
  } catch {
    return null; // corrupt or not for this engine: compile instead
  }
}

function store(dir: string, file: string, key: string, json: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header: Header = { format: SNAPSHOT_FORMAT, key, digest: createHash('sha256').update(json).digest('hex') };
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(header)}\n${json}`, { mode: 0o600 });
    renameSync(tmp, file); // readers see the whole snapshot or none
    prune(dir);
  } catch {
    // a read-only or full disk: the next start compiles again
  }
}

function prune(dir: string): void {
  const snaps = readdirSync(dir)
    .filter((n) => n.startsWith('ruleset-') && (n.endsWith('.json') || n.endsWith('.tmp')))
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
