// The per-source view of a correlation list (Wazuh's same_source_ip searches walk it): whatever
// comes in and goes out, each source's view holds exactly that source's records of the list, oldest
// first, whether the source has one record (kept as the record itself) or many (a list).
import { describe, expect, it } from 'vitest';
import { CorrelationRecord } from '../src/correlation-record.js';
import { RecordList } from '../src/record-list.js';

function indexed(): RecordList {
  const l = new RecordList(Number.MAX_SAFE_INTEGER);
  l.bySrcip = new Map();
  l.indexSlot = 0;
  return l;
}

const rec = (time: number, srcip: string | undefined): CorrelationRecord => new CorrelationRecord(time, 0, null, 1, [srcip], null, '');

function expectViews(l: RecordList, sources: readonly string[]): void {
  const all = l.toArray();
  for (const s of sources) expect(l.ofSource(s).toArray(), s).toEqual(all.filter((r) => r.value(0) === s));
  // Sources with no record left are not kept.
  expect([...l.bySrcip!.keys()].sort()).toEqual([...new Set(all.map((r) => r.value(0)).filter((v) => v !== undefined))].sort());
}

describe('RecordList per-source view', () => {
  it('follows pushes, removals of the oldest and of records in the middle (a seeded random walk)', () => {
    const sources = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const l = indexed();
    let t = 1_700_000_000;
    for (let step = 0; step < 5000; step++) {
      const op = rand(10);
      if (op < 6 || l.length === 0) l.push(rec(t++, rand(12) < 11 ? sources[rand(sources.length)] : undefined));
      else if (op < 9) l.remove(l.at(0));
      else l.remove(l.at(rand(l.length)));
      if (step % 50 === 0) expectViews(l, sources);
    }
    expectViews(l, sources);
  });

  it('gives a source of one record a view of it, and one of none an empty view', () => {
    const l = indexed();
    const one = rec(1_700_000_000, 'a');
    l.push(one);
    l.push(rec(1_700_000_001, 'b'));
    l.push(rec(1_700_000_002, 'b'));
    expect(l.ofSource('a').toArray()).toEqual([one]);
    expect(l.ofSource('b').length).toBe(2);
    expect(l.ofSource('z').length).toBe(0);
    l.remove(one);
    expect(l.ofSource('a').length).toBe(0);
    expect(l.bySrcip!.has('a')).toBe(false);
  });
});
