// Compares our logtest output with what real OSSEC 4.2 printed (compat/oracle/*.jsonl), on the
// fields the contract names: alert, rule_id, level, decoder, srcip and the user fields.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, LogtestJson } from '@portcullis/engine';
import { logtestJson, syslogTime } from '@portcullis/engine';

export const ORACLE_CORPORA = ['seed-scenario', 'loghub-openssh-2k', 'auth-100k'] as const;

export interface Disagreement {
  line: number;
  keys: string[];
  ours: Partial<LogtestJson>;
  oracle: Partial<LogtestJson>;
}

export interface OracleScore {
  corpus: string;
  lines: number;
  agreeing: number;
  agreement: number;
  disagreements: Disagreement[];
}

const KEYS = ['alert', 'rule_id', 'level', 'decoder'] as const;
const FIELD_KEYS = ['srcip', 'dstuser', 'srcuser'] as const;

/** Runs a log file through `engine` on log time (year 2024, UTC) like `logtest --time log --json`. */
export function logtestFile(engine: Engine, file: string, year = 2024): (LogtestJson | { line: number; processed: false })[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: (LogtestJson | { line: number; processed: false })[] = [];
  let time = 0;
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const t = syslogTime(line, year, () => 0);
    if (t !== null) time = t;
    const results = engine.processLine(line, 'stdin', time);
    if (results.length === 0) out.push({ line: i + 1, processed: false });
    for (const r of results) out.push(logtestJson(i + 1, r));
  });
  return out;
}

export function scoreAgainstOracle(corpus: string, ours: (LogtestJson | { line: number; processed: false })[], oracleFile: string): OracleScore {
  const oracle = readFileSync(oracleFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogtestJson);
  const byLine = new Map<number, LogtestJson>();
  for (const o of ours) if ('fields' in o && !byLine.has(o.line)) byLine.set(o.line, o);
  const disagreements: Disagreement[] = [];
  for (const ref of oracle) {
    const mine = byLine.get(ref.line);
    const keys: string[] = [];
    if (!mine) keys.push('processed');
    else {
      for (const k of KEYS) if (mine[k] !== ref[k]) keys.push(k);
      for (const f of FIELD_KEYS) if (mine.fields[f] !== ref.fields[f]) keys.push(`fields.${f}`);
    }
    if (keys.length > 0) {
      const pick = (o: LogtestJson | undefined) => (o ? { rule_id: o.rule_id, level: o.level, alert: o.alert, decoder: o.decoder, fields: o.fields } : {});
      disagreements.push({ line: ref.line, keys, ours: pick(mine), oracle: pick(ref) });
    }
  }
  const agreeing = oracle.length - disagreements.length;
  return { corpus, lines: oracle.length, agreeing, agreement: agreeing / oracle.length, disagreements };
}

export function corpusPaths(sharedDir: string, corpus: string): { log: string; oracle: string } {
  return { log: join(sharedDir, 'corpus', `${corpus}.log`), oracle: join(sharedDir, 'compat', 'oracle', `${corpus}.jsonl`) };
}
