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

/** Lists (and reads) the ruleset files of a config. Without a rules section: the shipped rules. */
export function rulesetFiles(cfg: OssecConfig, home: string): RulesetInput & { home: string; kind: 'ossec' | 'wazuh' | 'shipped' } {
  const f = cfg.file;
  const r = cfg.rules;
  if (r === null) return { ...shippedRulesetFiles(f), home: dirname(shippedRules), kind: 'shipped' };
  if (r.kind === 'ossec') {
    const decoderPaths = r.decoders.length > 0 ? r.decoders.map((d) => resolveIn(home, d)) : [join(home, 'etc', 'decoder.xml')];
    const local = join(home, 'etc', 'local_decoder.xml');
    if (r.decoders.length === 0 && existsSync(local)) decoderPaths.push(local);
    for (const d of r.decoderDirs) decoderPaths.push(...xmlFilesIn(resolveIn(home, d), f).sort());
    const rulePaths = r.includes.map((i) => (isAbsolute(i) ? i : join(home, 'rules', i)));
    for (const d of r.ruleDirs) rulePaths.push(...xmlFilesIn(resolveIn(home, d), f).sort());
    return {
      decoders: decoderPaths.map((p) => read(p, f, 'decoder file')),
      rules: rulePaths.map((p) => read(p, f, 'rule file')),
      lists: readLists(r.lists, home, f),
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
    decoders: collect(r.decoderDirs, r.decoderIncludes, r.decoderExcludes).map((p) => read(p, f, 'decoder file')),
    rules: collect(r.ruleDirs, r.ruleIncludes, r.ruleExcludes).map((p) => read(p, f, 'rule file')),
    lists: readLists(r.lists, home, f),
    home,
    kind: 'wazuh',
  };
}

/** CDB lists: the `key:value` source next to a `.cdb` name; keyed by the path as written. */
function readLists(paths: string[], home: string, configFile: string): SourceFile[] {
  return paths.map((p) => {
    const file = resolveIn(home, p.replace(/\.cdb$/, ''));
    return { path: p, text: read(file, configFile, 'list').text };
  });
}

/** The shipped ruleset: rules/decoders/*.xml and rules/rules/*.xml, each sorted by name. */
export function shippedRulesetFiles(configFile = 'rules'): RulesetInput {
  return {
    decoders: xmlFilesIn(join(shippedRules, 'decoders'), configFile).sort().map((p) => read(p, configFile, 'decoder file')),
    rules: xmlFilesIn(join(shippedRules, 'rules'), configFile).sort().map((p) => read(p, configFile, 'rule file')),
  };
}
