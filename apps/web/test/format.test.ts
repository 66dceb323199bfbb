import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, severityOf } from '@/lib/format';
import { toCsv } from '@/lib/download';
import { toQueryString } from '@/lib/api-client';

describe('format', () => {
  it('counts down as m:ss and h:mm:ss', () => {
    expect(formatClock(599)).toBe('9:59');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(formatClock(-3)).toBe('0:00');
  });

  it('says durations the way people read them', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(545)).toBe('9 min 05 s');
    expect(formatDuration(3840)).toBe('1 h 04 min');
    expect(formatDuration(90_000)).toBe('1 d 1 h');
    expect(formatDuration(1800)).toBe('30 min');
    expect(formatDuration(7200)).toBe('2 h');
  });

  it('bands OSSEC levels into severities', () => {
    expect([0, 3, 4, 6, 7, 9, 10, 11, 12, 16].map(severityOf)).toEqual(['info', 'info', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});

describe('exports and queries', () => {
  it('quotes CSV cells that need it and writes objects as JSON', () => {
    expect(toCsv([{ a: 'x,y', b: { k: 1 }, c: null }], ['a', 'b', 'c'])).toBe('a,b,c\n"x,y","{""k"":1}",\n');
  });

  it('leaves empty filters out of the query string', () => {
    expect(toQueryString({ level_min: 10, q: '', srcip: undefined, rule_id: null, cursor: 'abc' })).toBe('?level_min=10&cursor=abc');
    expect(toQueryString({})).toBe('');
  });
});
