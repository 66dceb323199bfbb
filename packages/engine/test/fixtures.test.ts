// Fixture cases: each folder under fixtures/ is a small ruleset with input lines and the logtest
// JSON expected for each line (see fixtures/README.md). Lines run one at a time through one engine,
// each at the time of its own syslog timestamp (year 2024, UTC); a line without one keeps the
// previous line's time, as the replay oracle does.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EngineOptions } from '../src/index.js';
import { compileRuleset, Engine, logtestJson, syslogTime } from '../src/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const KEYS = ['line', 'decoder', 'fields', 'rule_id', 'level', 'alert'] as const;

type Expected = Record<(typeof KEYS)[number], unknown>;

function readLines(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function runCase(dir: string): { actual: Expected[]; expected: Expected[] } {
  const optionsFile = join(dir, 'options.json');
  const options: Partial<EngineOptions> = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as Partial<EngineOptions>) : {};
  const dialect = options.dialect ?? 'wazuh';
  const ruleset = compileRuleset(
    {
      decoders: [{ path: join(dir, 'decoders.xml'), text: readFileSync(join(dir, 'decoders.xml'), 'utf8') }],
      rules: [{ path: join(dir, 'rules.xml'), text: readFileSync(join(dir, 'rules.xml'), 'utf8') }],
    },
    { ...options, dialect },
  );
  const engine = new Engine(ruleset, options);
  let time = 0;
  const actual = readLines(join(dir, 'input.log')).map((line, i) => {
    time = syslogTime(line, 2024, () => 0) ?? time;
    const json = logtestJson(i + 1, engine.processOne(line, 'stdin', time));
    return Object.fromEntries(KEYS.map((k) => [k, json[k]])) as Expected;
  });
  const expected = readLines(join(dir, 'expected.jsonl')).map((l) => JSON.parse(l) as Expected);
  return { actual, expected };
}

const cases = readdirSync(FIXTURES)
  .filter((name) => statSync(join(FIXTURES, name)).isDirectory())
  .sort();

describe('fixtures', () => {
  it('there are fixture cases, each with the four required files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const name of cases)
      for (const file of ['decoders.xml', 'rules.xml', 'input.log', 'expected.jsonl']) expect(existsSync(join(FIXTURES, name, file)), `${name}/${file}`).toBe(true);
  });

  it.each(cases)('%s', (name) => {
    const { actual, expected } = runCase(join(FIXTURES, name));
    expect(expected.length, 'expected.jsonl has one line per input line').toBe(actual.length);
    for (const e of expected) expect(Object.keys(e).sort(), `keys of expected line ${String(e.line)}`).toEqual([...KEYS].sort());
    expect(actual).toEqual(expected);
  });
});
