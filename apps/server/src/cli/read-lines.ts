// Line reader for stdin and files: splits on \n, drops a trailing \r, keeps the last unterminated line.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

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
