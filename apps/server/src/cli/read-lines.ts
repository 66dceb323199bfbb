// Line readers for stdin and files: split on \n, drop a trailing \r, keep the last unterminated line.
import { isAscii } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

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

/**
 * Bytes read at a time. The lines are slices of a chunk's string, and so are the values correlation
 * keeps of alerted events: a chunk stays alive as long as one of them does. A string this large is
 * made in V8's large-object space, which the young-generation scavenges promote without copying; a
 * 64 KiB chunk was copied by every scavenge it survived (on the 1M-line auth log with the OSSEC 4.2
 * home, scavenges took 440-600 ms with 64 KiB chunks, 180-220 ms with 256 KiB or more). Under 1 MB,
 * as from about there Node makes a Latin-1 string an external one (malloc'd, one more indirection).
 */
export const READ_CHUNK = 1 << 19;

/**
 * Calls `onLine` with each line of the file at `path`, in order, read synchronously in chunks of
 * READ_CHUNK bytes: the same lines as `readLines`, for a whole file (`replay`) about 20× faster than
 * awaiting a stream per chunk and a generator per line. A UTF-8 sequence cut by a chunk boundary is
 * decoded whole (StringDecoder, as the stream's `setEncoding` does); invalid bytes become U+FFFD.
 * A chunk of ASCII alone is read as Latin-1, the same characters for a tenth of the cost (Node 20's
 * UTF-8 decoding took 0.4 s of the 1M-line auth log's replay, Latin-1 with the ASCII check 0.05 s).
 */
export function forEachLine(path: string, onLine: (line: string) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    const decoder = new StringDecoder('utf8');
    // The unterminated line so far. It holds no \n, so a chunk is searched alone: a line longer
    // than a chunk is appended to, never searched again.
    let rest = '';
    // The decoder may hold the start of a character cut by the chunk boundary: only after a chunk
    // ending in a byte ≥ 0x80 (one ending in ASCII left no sequence incomplete).
    let pending = false;
    for (let n = readSync(fd, buf, 0, READ_CHUNK, null); n > 0; n = readSync(fd, buf, 0, READ_CHUNK, null)) {
      const bytes = n === READ_CHUNK ? buf : buf.subarray(0, n);
      let text: string;
      if (!pending && isAscii(bytes)) text = bytes.toString('latin1', 0, n);
      else {
        text = decoder.write(bytes);
        pending = bytes[n - 1]! >= 0x80;
      }
      let nl = text.indexOf('\n');
      if (nl < 0) {
        rest += text;
        continue;
      }
      const first = rest + text.slice(0, nl);
      onLine(first.charCodeAt(first.length - 1) === 13 ? first.slice(0, -1) : first);
      let start = nl + 1;
      for (nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        onLine(text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  } finally {
    closeSync(fd);
  }
}
