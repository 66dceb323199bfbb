// Finding the decoder and rule files a config names, in the order OSSEC or Wazuh loads them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { RulesetInput, SourceFile } from '@portcullis/engine';
import { RulesetError } from '@portcullis/engine';
import type { OssecConfig } from './ossec-config.js';
import { shippedRules } from '../paths.js';

/** A config's home: the parent of its directory when that is named `etc`, else its directory. */
export function homeOf(configPath: string): string {
  const dir = dirname(configPath);
  return basename(dir) === 'etc' ? dirname(dir) : dir;
}

export function resolveIn(home: string, p: string): string {
  return isAbsolute(p) ? p : join(home, p);
}

/** A path as the API shows it: relative to the config's home when inside it, else absolute. */
export function displayPath(home: string, p: string): string {
  const rel = relative(home, p);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? p : rel.split(sep).join('/');
}

function read(path: string, configFile: string, what: string): SourceFile {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (e) {
    throw new RulesetError('CONFIG', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, configFile, 1, 1);
  }
}

function xmlFilesIn(dir: string, configFile: string, pattern?: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new RulesetError('CONFIG', `cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, configFile, 1, 1);
  }
  return names
    .filter((n) => (pattern ? pattern.test(n) : n.endsWith('.xml')))
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
}

/**
 * What is done with each file of a ruleset as it is found: read (rulesetFiles) or stat()ed
 * (rulesetStats). `shownAs` is the path the file goes by (a list's as written in the config).
 */
type Take<T> = (file: string, configFile: string, what: string, shownAs: string) => T;

interface Taken<T> {
  decoders: T[];
  rules: T[];
  lists: T[];
}

const readFile: Take<SourceFile> = (file, configFile, what, shownAs) => ({ path: shownAs, text: read(file, configFile, what).text });

/**
 * join(dir, name) where `dir` is a joined (normalised) path, without normalising again when `name`
 * is a plain file name: join's normalisation of every <include> was a third of a warm start's look
 * at the OSSEC home's ~70 files (code that runs once is not compiled).
 */
function joinName(dir: string, name: string): string {
  if (sep === '/' && name !== '' && name !== '.' && name !== '..' && !name.includes('/')) return dir === '/' ? `/${name}` : `${dir}/${name}`;
  return join(dir, name);
}

/** Lists (and reads) the ruleset files of a config. Without a rules section: the shipped rules. */
export function rulesetFiles(cfg: OssecConfig, home: string): RulesetInput & { home: string; kind: 'ossec' | 'wazuh' | 'shipped' } {
  return takeRuleset(cfg, home, readFile);
}

/** A ruleset file as stat() found it: its path, the file and its size, times and inode, as text. */
export interface FileStat {
  path: string;
  stat: string;
  /** Its last change (the later of mtime and ctime), in ms. */
  changedMs: number;
}

const statFile: Take<FileStat> = (file, _configFile, _what, shownAs) => {
  const st = statSync(file);
  return { path: shownAs, stat: `${file}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`, changedMs: Math.max(st.mtimeMs, st.ctimeMs) };
};

/**
 * The files rulesetFiles would read, stat()ed instead, in the same order (what a start compares
 * with the compiled-ruleset cache's index before reading any). Throws when one cannot be stat()ed:
 * rulesetFiles then reports it as it always did.
 */
export function rulesetStats(cfg: OssecConfig, home: string): Taken<FileStat> {
  return takeRuleset(cfg, home, statFile);
}

function takeRuleset<T>(cfg: OssecConfig, home: string, take: Take<T>): Taken<T> & { home: string; kind: 'ossec' | 'wazuh' | 'shipped' } {
  const f = cfg.file;
  const r = cfg.rules;
  const file = (what: string) => (p: string) => take(p, f, what, p);
  if (r === null) return { ...takeShipped(f, take), lists: [], home: dirname(shippedRules), kind: 'shipped' };
  if (r.kind === 'ossec') {
    const decoderPaths = r.decoders.length > 0 ? r.decoders.map((d) => resolveIn(home, d)) : [join(home, 'etc', 'decoder.xml')];
    const local = join(home, 'etc', 'local_decoder.xml');
    if (r.decoders.length === 0 && existsSync(local)) decoderPaths.push(local);
    for (const d of r.decoderDirs) decoderPaths.push(...xmlFilesIn(resolveIn(home, d), f).sort());
    const rulesDir = join(home, 'rules');
    const rulePaths = r.includes.map((i) => (isAbsolute(i) ? i : joinName(rulesDir, i)));
    for (const d of r.ruleDirs) rulePaths.push(...xmlFilesIn(resolveIn(home, d), f).sort());
    return {
      decoders: decoderPaths.map(file('decoder file')),
      rules: rulePaths.map(file('rule file')),
      lists: takeLists(r.lists, home, f, take),
      home,
      kind: 'ossec',
    };
  }
  const byName = (a: string, b: string) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0);
  const collect = (dirs: string[], includes: string[], excludes: string[]) => {
    const ex = new Set(excludes.map((e) => basename(e)));
    const paths: string[] = [];
    for (const d of dirs) paths.push(...xmlFilesIn(resolveIn(home, d), f));
    for (const i of includes) paths.push(resolveIn(home, i));
    return paths.filter((p) => !ex.has(basename(p))).sort(byName);
  };
  return {
    decoders: collect(r.decoderDirs, r.decoderIncludes, r.decoderExcludes).map(file('decoder file')),
    rules: collect(r.ruleDirs, r.ruleIncludes, r.ruleExcludes).map(file('rule file')),
    lists: takeLists(r.lists, home, f, take),
    home,
    kind: 'wazuh',
  };
}

/** CDB lists: the `key:value` source next to a `.cdb` name; keyed by the path as written. */
function takeLists<T>(paths: string[], home: string, configFile: string, take: Take<T>): T[] {
  return paths.map((p) => take(resolveIn(home, p.replace(/\.cdb$/, '')), configFile, 'list', p));
}

/** The shipped ruleset: rules/decoders/*.xml and rules/rules/*.xml, each sorted by name. */
export function shippedRulesetFiles(configFile = 'rules'): RulesetInput {
  return takeShipped(configFile, readFile);
}

function takeShipped<T>(configFile: string, take: Take<T>): { decoders: T[]; rules: T[] } {
  const file = (what: string) => (p: string) => take(p, configFile, what, p);
  return {
    decoders: xmlFilesIn(join(shippedRules, 'decoders'), configFile).sort().map(file('decoder file')),
    rules: xmlFilesIn(join(shippedRules, 'rules'), configFile).sort().map(file('rule file')),
  };
}
