// Line readers for stdin and files: split on \n, drop a trailing \r, keep the last unterminated line.
import { isAscii } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** Lines of a stream (stdin: `logtest` answers each line as it comes) or of a file. */
export async function* readLines(input: Readable | string): AsyncGenerator<string> {
  const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 }) : input.setEncoding('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** Bytes read at a time (the buffer grows for a longer line). */
export const READ_CHUNK = 1 << 16;

/**
 * Calls `onLine` with each line of `file` (a path, or an open descriptor) from byte `from` (the start of a line), in
 * order, read synchronously in chunks of READ_CHUNK bytes: the same lines as `readLines`, for a
 * whole file (`replay`) about 20× faster than awaiting a stream per chunk and a generator per line.
 * `onLine` returning true stops the reading after that line: the result is then the byte offset of
 * the next line (for another reader to go on from), else -1 (the whole file was read). When the
 * line is ASCII `onLine` also gets its bytes (`ascii[at]` on, valid only during the call).
 *
 * Lines are split on the bytes and each is decoded alone, its own string: a line kept no longer
 * keeps a whole chunk alive (the values correlation keeps of alerted events are slices of their
 * line, and a chunk held by one was copied by every young-generation scavenge it survived), and a
 * chunk of ASCII is read as Latin-1, the same characters without UTF-8 decoding. Decoding a line
 * alone gives what decoding the stream does: a \n byte is never part of a UTF-8 sequence, and ends
 * an incomplete one (U+FFFD) in both.
 */
export function forEachLine(file: string | number, onLine: (line: string, ascii: Uint8Array | null, at: number) => boolean | void, from = 0): number {
  // A path is opened and closed here; a descriptor (replay's two threads share one) is the caller's.
  const fd = typeof file === 'number' ? file : openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(READ_CHUNK);
    // buf[0, have): the start of a line not yet ended, carried over from the last read; `at`: the
    // file offset of buf[0].
    let have = 0;
    let at = from;
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      // From the start, read on (a pipe cannot seek); from elsewhere, at the offset.
      const n = readSync(fd, buf, have, buf.length - have, from === 0 ? null : at + have);
      if (n === 0) break;
      const bytes = buf.subarray(0, have + n);
      const ascii = isAscii(bytes) ? bytes : null;
      const encoding = ascii !== null ? 'latin1' : 'utf8';
      let start = 0;
      for (let nl = bytes.indexOf(10, have); nl >= 0; nl = bytes.indexOf(10, start)) {
        const stop = onLine(bytes.toString(encoding, start, nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl), ascii, start);
        start = nl + 1;
        if (stop === true) return at + start;
      }
      have = bytes.length - start;
      at += start;
      bytes.copy(buf, 0, start);
    }
    if (have > 0) {
      const last = buf.subarray(0, buf[have - 1] === 13 ? have - 1 : have);
      const ascii = isAscii(last) ? last : null;
      onLine(last.toString(ascii !== null ? 'latin1' : 'utf8'), ascii, 0);
    }
    return -1;
  } finally {
    if (typeof file !== 'number') closeSync(fd);
  }
}
