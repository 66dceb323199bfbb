// The shipped ruleset's own test cases must all pass on the shipped config: rules/tests/*.ini
// (Wazuh's .ini format: rule, level and decoder of the last line of each session), every rule
// that can be reported has at least one passing case, and rules/tests/decoders.json gives the
// exact fields the decoders must extract.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContext, newEngine } from '../../src/cli/context.js';
import { iniCases, runIniCase } from '../../src/compat/ini.js';
import { shippedRules } from '../../src/paths.js';

const testsDir = join(shippedRules, 'tests');
const iniFiles = readdirSync(testsDir).filter((f) => f.endsWith('.ini')).sort();
const ctx = loadContext({});
const NOW = 1_709_546_400; // 2024-03-04T10:00:00Z: any fixed time; every line of a case shares it

describe('shipped ruleset .ini cases', () => {
  it('runs on the shipped config with the shipped rules', () => {
    expect(ctx.shipped).toBe(true);
    expect(iniFiles.length).toBeGreaterThan(0);
  });

  for (const file of iniFiles) {
    it(file, () => {
      const cases = iniCases(join(testsDir, file), 'wazuh');
      expect(cases.length).toBeGreaterThan(0);
      const failures = cases
        .map((c) => runIniCase(c, newEngine(ctx, { ignoreRearm: 'logtest' }), NOW))
        .filter((o) => !o.ok)
        .map(
          (o) =>
            `[${o.section}] ${o.name}: expected ${o.negate ? 'NOT ' : ''}rule ${o.rule} level ${o.level} decoder "${o.decoder}", ` +
            `got rule ${o.actual.rule} level ${o.actual.level} decoder "${o.actual.decoder}"\n    ${o.lines.at(-1)}`,
        );
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }

  it('has a passing case for every rule that can be reported', () => {
    // Grouping rules (noalert) never come out of a tree walk, so no line can name them.
    const reportable = ctx.ruleset.tree.all.filter((r) => !r.noalert).map((r) => r.id);
    const covered = new Set<number>();
    for (const file of iniFiles)
      for (const c of iniCases(join(testsDir, file), 'wazuh')) if (!c.negate) covered.add(Number(c.rule));
    const missing = reportable.filter((id) => !covered.has(id)).sort((a, b) => a - b);
    expect(missing, `rules without a passing .ini case: ${missing.join(', ')}`).toEqual([]);
  });

  it('decodes exactly the fields listed in decoders.json', () => {
    const doc = JSON.parse(readFileSync(join(testsDir, 'decoders.json'), 'utf8')) as {
      cases: { log: string; decoder: string; fields: Record<string, string> }[];
    };
    expect(doc.cases.length).toBeGreaterThan(0);
    const engine = newEngine(ctx);
    const wrong = doc.cases.flatMap((c) => {
      const [r] = engine.process(c.log, 'stdin', NOW);
      const got = { decoder: r?.event.decoder?.name ?? '', fields: r?.event.fieldsObject() ?? {} };
      return JSON.stringify(sorted(got)) === JSON.stringify(sorted({ decoder: c.decoder, fields: c.fields }))
        ? []
        : [`${c.log}\n    expected ${JSON.stringify(c.decoder)} ${JSON.stringify(c.fields)}\n    got      ${JSON.stringify(got.decoder)} ${JSON.stringify(got.fields)}`];
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('defines every rule of rules/rules/*.xml in the compiled ruleset', () => {
    const dir = join(shippedRules, 'rules');
    const ids = readdirSync(dir)
      .filter((f) => f.endsWith('.xml'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/<rule\s+id="(\d+)"/g)].map((m) => Number(m[1])));
    const compiled = new Set(ctx.ruleset.tree.all.map((r) => r.id));
    expect(ids.filter((id) => !compiled.has(id))).toEqual([]);
    expect(ids.length).toBe(compiled.size);
  });
});

function sorted(x: { decoder: string; fields: Record<string, string> }): unknown {
  return { decoder: x.decoder, fields: Object.fromEntries(Object.entries(x.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}
