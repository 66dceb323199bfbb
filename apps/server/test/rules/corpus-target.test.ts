// The shipped config's promise on the generated corpus: the addresses `replay` would block match
// the truth file's `should_block` with precision and recall of at least 0.99.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContext } from '../../src/cli/context.js';
import { replay } from '../../src/cli/replay.js';
import { corpusDir } from '../compat/shared.js';

interface Truth {
  ips: Record<string, { should_block?: boolean }>;
}

describe('shipped config on auth-100k.log', () => {
  it('blocks the addresses that should be blocked (precision and recall >= 0.99)', async () => {
    const prevTz = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      const rep = await replay(loadContext({}), join(corpusDir, 'auth-100k.log'), 2024);
      const truth = JSON.parse(readFileSync(join(corpusDir, 'auth-100k.truth.json'), 'utf8')) as Truth;
      const should = new Set(Object.entries(truth.ips).filter(([, v]) => v.should_block).map(([ip]) => ip));
      const blocked = new Set(rep.blocks.map((b) => b.ip));
      const tp = [...blocked].filter((ip) => should.has(ip)).length;
      const fp = [...blocked].filter((ip) => !should.has(ip));
      const fn = [...should].filter((ip) => !blocked.has(ip));
      const detail = `false positives: ${fp.join(' ')}\nfalse negatives: ${fn.join(' ')}`;
      expect(tp / blocked.size, detail).toBeGreaterThanOrEqual(0.99);
      expect(tp / should.size, detail).toBeGreaterThanOrEqual(0.99);
    } finally {
      if (prevTz === undefined) delete process.env.TZ;
      else process.env.TZ = prevTz;
    }
  }, 120_000);
});
