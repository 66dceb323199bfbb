// The Journal Export Format stream parser: entries split anywhere across chunks (even inside a
// binary field's length), the limits, and errors that say where.
import { describe, expect, it } from 'vitest';
import { JournalExportError, JournalExportParser, cursorTaken } from '../../src/sources/index.js';

function binary(name: string, value: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(value.length));
  return Buffer.concat([Buffer.from(`${name}\n`), len, value, Buffer.from('\n')]);
}

const body = Buffer.concat([
  Buffer.from('__CURSOR=s=00000000000000000000000000000001;i=a\nMESSAGE=first\n_PID=1\n\n'),
  Buffer.from('__CURSOR=s=00000000000000000000000000000001;i=b\n'), binary('MESSAGE', Buffer.from('two\nlines\0and a nul')), Buffer.from('_PID=2\n\n'),
]);

describe('JournalExportParser', () => {
  it('reads the same entries whatever the chunking, one byte at a time included', () => {
    for (const size of [1, 3, 7, 8, 9, body.length]) {
      const p = new JournalExportParser();
      const entries = [];
      for (let i = 0; i < body.length; i += size) entries.push(...p.push(body.subarray(i, i + size)));
      entries.push(...p.end());
      expect(entries.map((e) => [e.fields.MESSAGE, e.fields._PID, e.oversized]), `chunks of ${size}`).toEqual([['first', '1', null], ['two\nlines\0and a nul', '2', null]]);
    }
  });

  it('keeps an entry over the limits, without the big values and marked, so its cursor still counts', () => {
    const p = new JournalExportParser({ maxFieldBytes: 16, maxFields: 3 });
    const entries = p.push(Buffer.concat([
      Buffer.from(`__CURSOR=c1\nMESSAGE=${'x'.repeat(100)}\nA=1\n\n`),
      Buffer.from('__CURSOR=c2\n'), binary('MESSAGE', Buffer.alloc(1000, 0x41)), Buffer.from('A=1\n\n'),
      Buffer.from('__CURSOR=c3\nA=1\nB=2\nC=3\n\n'),
    ]));
    expect(entries.map((e) => [e.fields.__CURSOR, e.fields.MESSAGE, e.oversized])).toEqual([
      ['c1', undefined, 'field-too-large'], ['c2', undefined, 'field-too-large'], ['c3', undefined, 'too-many-fields'],
    ]);
  });

  it('says which entry is not the format', () => {
    const p = new JournalExportParser();
    p.push(Buffer.from('MESSAGE=ok\n\n'));
    expect(() => p.push(Buffer.from('not a field name!\n'))).toThrow(JournalExportError);
    expect(() => new JournalExportParser().push(Buffer.from('MESSAGE=a\nbad name=1\n'))).toThrow(/entry 1: "bad name" is not a field name/);
    const cut = new JournalExportParser();
    cut.push(Buffer.concat([binary('MESSAGE', Buffer.from('abcdef'))]).subarray(0, 12));
    expect(() => cut.end()).toThrow(/entry 1: the body ended inside a field/);
  });
});

describe('cursorTaken', () => {
  const c = (i: string, s = 'a'.repeat(32)): string => `s=${s};i=${i};b=${'b'.repeat(32)};m=1;t=2;x=3`;
  it('is true at or before the stored cursor of the same journal only', () => {
    expect(cursorTaken(c('a'), undefined)).toBe(false);
    expect(cursorTaken(c('a'), c('a'))).toBe(true);
    expect(cursorTaken(c('9'), c('a'))).toBe(true);
    expect(cursorTaken(c('b'), c('a'))).toBe(false);
    expect(cursorTaken(c('1', 'c'.repeat(32)), c('a'))).toBe(false);
  });
});
