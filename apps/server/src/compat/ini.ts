// Runs the `.ini` rule test suites of OSSEC and Wazuh (contrib/ossec-testing, ruleset/testing)
// the way their runners do, against our engine.
import { readFileSync } from 'node:fs';
import type { Engine } from '@portcullis/engine';

export interface IniSection {
  name: string;
  /** key → values in file order (Wazuh's runner keeps repeated keys; OSSEC's keeps the last). */
  entries: Map<string, string[]>;
}

export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let cur: IniSection | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*[;#]/.test(line) || line.trim() === '') continue;
    const sec = /^\[(.*)\]\s*$/.exec(line);
    if (sec) {
      cur = { name: sec[1]!, entries: new Map() };
      sections.push(cur);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s?(.*)$/.exec(line);
    if (!kv || !cur) continue;
    const key = kv[1]!.trim().toLowerCase();
    const list = cur.entries.get(key) ?? [];
    list.push(kv[2]!.trim());
    cur.entries.set(key, list);
  }
  return sections;
}

export interface IniCase {
  file: string;
  section: string;
  name: string;
  lines: string[];
  negate: boolean;
  rule: string;
  level: string;
  decoder: string;
}

export interface IniOutcome extends IniCase {
  ok: boolean;
  actual: { rule: string; level: string; decoder: string };
}

/** Expands a suite into runs: Wazuh joins repeated `log N` keys into one session; OSSEC runs each line alone. */
export function iniCases(file: string, style: 'wazuh' | 'ossec'): IniCase[] {
  const out: IniCase[] = [];
  for (const s of parseIni(readFileSync(file, 'utf8'))) {
    const get = (k: string) => s.entries.get(k)?.at(-1) ?? '';
    for (const [key, values] of s.entries) {
      if (!key.startsWith('log ')) continue;
      const negate = key.endsWith('fail');
      const lines = style === 'wazuh' ? values : [values.at(-1)!];
      out.push({ file, section: s.name, name: key, lines, negate, rule: get('rule'), level: get('alert'), decoder: get('decoder') });
    }
  }
  return out;
}

/** Runs one case on a fresh engine (one logtest session) and checks the last event like `-U`. */
export function runIniCase(c: IniCase, engine: Engine, now: number): IniOutcome {
  let rule = '';
  let level = '';
  let decoder = '';
  for (const line of c.lines) {
    const r = engine.process(line, 'stdin', now).at(-1); // a repeated-message line expands: check its last event
    if (!r) continue;
    const shown = r.alertRule ?? r.rule;
    rule = shown ? String(shown.id) : '';
    level = shown ? String(shown.level) : '';
    decoder = r.event.decoder?.name ?? '';
  }
  // Like `logtest -U rule:level:decoder`: an event without a decoder matches no expected decoder,
  // not even an empty one (the stock suites' `decoder =` sections are all `fail` cases for this reason).
  const all = decoder !== '' && decoder === c.decoder && rule === c.rule && level === c.level;
  return { ...c, ok: all !== c.negate, actual: { rule, level, decoder } };
}
