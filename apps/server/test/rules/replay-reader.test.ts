// `replay` reads its file synchronously in chunks and decodes each line alone (forEachLine); it must give exactly the
// lines the stream reader gives (logtest's), whatever falls on a chunk boundary.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_CHUNK, forEachLine, readLines } from '../../src/cli/read-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK = READ_CHUNK;

function syncLines(file: string): string[] {
  const out: string[] = [];
  forEachLine(file, (l) => {
    out.push(l);
  });
  return out;
}

async function streamLines(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(file)) out.push(l);
  return out;
}

/** A file whose byte `at` starts a line with `tail`, after filler lines of ASCII. */
function fileWith(name: string, at: number, tail: Buffer): string {
  const pad = Buffer.alloc(at, 'a');
  for (let i = 99; i < at; i += 100) pad[i] = 10;
  pad[at - 1] = 10;
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([pad, tail]));
  return file;
}

describe('forEachLine', () => {
  it('decodes a UTF-8 character cut by a chunk boundary, at each of its byte offsets', async () => {
    const ch = Buffer.from('é€😀 failed for ünïcode\n', 'utf8');
    // é is bytes 0-1, € 2-4, 😀 5-8: the boundary after byte 1, 3, 4, 6, 7, 8 cuts one.
    for (let k = 1; k <= 9; k++) {
      const file = fileWith(`utf8-${k}.log`, CHUNK - k, ch);
      const lines = syncLines(file);
      expect(lines.at(-1)).toBe('é€😀 failed for ünïcode');
      expect(lines).toEqual(await streamLines(file));
    }
  });

  it('ends a character cut by the boundary and never completed with U+FFFD, also when the next chunk is all ASCII', async () => {
    const file = fileWith('cut-ascii.log', CHUNK - 2, Buffer.concat([Buffer.from([0xe2, 0x82]), Buffer.from('\nascii only\n')]));
    const lines = syncLines(file);
    expect(lines.slice(-2)).toEqual(['\ufffd', 'ascii only']);
    expect(lines).toEqual(await streamLines(file));
  });

  it('drops a \\r before \\n also when the two are in different chunks; keeps a lone \\r', async () => {
    const file = fileWith('crlf.log', CHUNK - 2, Buffer.from('x\r\nnext\r\nin\rside\r\n\r\n'));
    const lines = syncLines(file);
    expect(lines.slice(-4)).toEqual(['x', 'next', 'in\rside', '']);
    expect(lines).toEqual(await streamLines(file));
  });

  it('keeps the last unterminated line (without its \\r), empty lines, and invalid bytes as U+FFFD', async () => {
    const file = join(dir, 'tail.log');
    writeFileSync(file, Buffer.concat([Buffer.from('a\n\n\nb\xff\n', 'latin1'), Buffer.from([0xe2, 0x82]), Buffer.from('\nlast\r')]));
    const lines = syncLines(file);
    expect(lines).toEqual(['a', '', '', 'b\ufffd', '\ufffd', 'last']);
    expect(lines).toEqual(await streamLines(file));
  });

  it('reads a line longer than several chunks whole, and an empty file as no lines', async () => {
    const long = 'x'.repeat(3 * CHUNK + 17);
    const file = join(dir, 'long.log');
    writeFileSync(file, `short\n${long}\r\nend`);
    expect(syncLines(file)).toEqual(['short', long, 'end']);
    expect(syncLines(file)).toEqual(await streamLines(file));
    writeFileSync(join(dir, 'empty.log'), '');
    expect(syncLines(join(dir, 'empty.log'))).toEqual([]);
  });

  it('says which file it cannot read', () => {
    expect(() => syncLines(join(dir, 'missing.log'))).toThrow(/missing\.log/);
  });

  it('stops after the line asked, at whose end another read goes on: together the same lines, wherever it stops', async () => {
    // Lines of many lengths (one longer than a chunk, UTF-8, \r\n), over several chunks.
    const parts = Array.from({ length: 3000 }, (_, i) => (i === 1500 ? 'y'.repeat(CHUNK + 5) : `${i} ${'é'.repeat(i % 7)}${'z'.repeat((i * 37) % 300)}${i % 5 === 0 ? '\r' : ''}`));
    const file = join(dir, 'resume.log');
    writeFileSync(file, `${parts.join('\n')}\n`);
    const all = await streamLines(file);
    for (const stopAfter of [0, 1, 255, 600, 1499, 1500, 1501, 2998, 2999]) {
      const first: string[] = [];
      let n = 0;
      const next = forEachLine(file, (l) => {
        first.push(l);
        return n++ === stopAfter;
      });
      expect(next, `stop after ${stopAfter}`).toBeGreaterThan(0);
      const rest: string[] = [];
      expect(forEachLine(file, (l) => void rest.push(l), next)).toBe(-1);
      expect([...first, ...rest], `stop after ${stopAfter}`).toEqual(all);
    }
    expect(forEachLine(file, () => false)).toBe(-1);
  });
});
