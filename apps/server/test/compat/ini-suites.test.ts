// The stock .ini suites must pass 100%: Wazuh 4.14.7's five on the wazuh dialect, OSSEC 3.3.0's
// five on the ossec dialect. They are GPL test data, read from ../shared, never copied.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContext, newEngine } from '../../src/cli/context.js';
import { iniCases, runIniCase } from '../../src/compat/ini.js';
import { compatDir } from './shared.js';

const suites = [
  { home: 'wazuh-4.14.7', dialect: 'wazuh' as const, dir: 'ruleset/testing/tests' },
  { home: 'ossec-hids-3.3.0', dialect: 'ossec' as const, dir: 'contrib/ossec-testing/tests' },
];

for (const s of suites) {
  describe(`${s.home} .ini suites (${s.dialect} dialect)`, () => {
    const home = join(compatDir, s.home);
    const ctx = loadContext({ home, dialect: s.dialect });
    const dir = join(home, s.dir);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ini')).sort()) {
      it(file, () => {
        const cases = iniCases(join(dir, file), s.dialect);
        expect(cases.length).toBeGreaterThan(0);
        const failures = cases
          .map((c) => runIniCase(c, newEngine(ctx, { ignoreRearm: 'logtest' }), 1_700_000_000))
          .filter((o) => !o.ok)
          .map((o) => `[${o.section}] ${o.name}: expected ${o.negate ? 'NOT ' : ''}rule ${o.rule} level ${o.level} decoder "${o.decoder}", got rule ${o.actual.rule} level ${o.actual.level} decoder "${o.actual.decoder}"\n    ${o.lines.at(-1)}`);
        expect(failures, failures.join('\n')).toEqual([]);
      });
    }
  });
}
