// Splits a syslog TCP stream into messages (RFC 6587): octet counting (`<len> <msg>`) and
// non-transparent framing (message ends at LF or NUL), decided per frame as rsyslog does.

const LF = 0x0a;
const NUL = 0x00;
const CR = 0x0d;
const SPACE = 0x20;
const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;
/** Octet counts longer than this are not counts (99,999,999 bytes). */
const MAX_COUNT_DIGITS = 8;

/**
 * Per-connection framing state. Frames over `maxFrameBytes` are cut to that size, the rest of them
 * discarded (never turned into a frame of its own) and counted in `truncated`.
 */
export class SyslogFramer {
  truncated = 0;
  readonly #max: number;
  #buf: Buffer = Buffer.alloc(0);
  /** Bytes still to drop from an over-long octet-counted frame. */
  #skip = 0;
  /** Dropping the rest of an over-long newline-framed message. */
  #toNewline = false;

  constructor(maxFrameBytes: number) {
    this.#max = maxFrameBytes;
  }

  /** Feeds bytes in; returns the frames they complete. */
  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, chunk]) : chunk;
    const frames: Buffer[] = [];
    for (;;) {
      const buf = this.#buf;
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, buf.length);
        this.#skip -= n;
        this.#buf = buf.subarray(n);
        if (this.#skip > 0) break;
        continue;
      }
      if (this.#toNewline) {
        const end = terminator(buf);
        if (end === -1) {
          this.#buf = Buffer.alloc(0);
          break;
        }
        this.#toNewline = false;
        this.#buf = buf.subarray(end + 1);
        continue;
      }
      let start = 0;
      while (start < buf.length && (buf[start] === LF || buf[start] === NUL || buf[start] === CR)) start++;
      if (start === buf.length) {
        this.#buf = Buffer.alloc(0);
        break;
      }
      const rest = buf.subarray(start);
      const counted = this.#octetCount(rest);
      if (counted === 'more') {
        this.#buf = rest;
        break;
      }
      if (counted) {
        const [len, headerLength] = counted;
        const take = Math.min(len, this.#max);
        if (rest.length < headerLength + take) {
          this.#buf = rest;
          break;
        }
        frames.push(rest.subarray(headerLength, headerLength + take));
        if (len > this.#max) {
          this.truncated++;
          this.#skip = len - take;
        }
        this.#buf = rest.subarray(headerLength + take);
        continue;
      }
      const end = terminator(rest);
      if (end === -1) {
        if (rest.length > this.#max) {
          frames.push(rest.subarray(0, this.#max));
          this.truncated++;
          this.#toNewline = true;
          this.#buf = Buffer.alloc(0);
        } else {
          this.#buf = rest;
        }
        break;
      }
      if (end > this.#max) this.truncated++;
      frames.push(rest.subarray(0, Math.min(end, this.#max)));
      this.#buf = rest.subarray(end + 1);
    }
    // Copied out, so a small frame does not keep a whole receive buffer alive.
    return frames.filter((f) => f.length > 0).map((f) => Buffer.from(f));
  }

  /** The connection ended: an unterminated last message still counts. */
  end(): Buffer[] {
    const buf = this.#buf;
    this.#buf = Buffer.alloc(0);
    if (this.#skip > 0 || this.#toNewline || buf.length === 0) return [];
    const counted = this.#octetCount(buf);
    if (counted === 'more') return [];
    const frame = counted ? buf.subarray(counted[1]) : buf;
    return frame.length > 0 ? [Buffer.from(frame.subarray(0, this.#max))] : [];
  }

  /** `[length, header bytes]` for `123 ...`, 'more' when the digits may not be complete, null if not a count. */
  #octetCount(buf: Buffer): [number, number] | 'more' | null {
    if (!isDigit(buf[0])) return null;
    let i = 0;
    while (i < buf.length && i <= MAX_COUNT_DIGITS && isDigit(buf[i])) i++;
    if (i === buf.length && i <= MAX_COUNT_DIGITS) return 'more';
    if (buf[i] !== SPACE || i > MAX_COUNT_DIGITS) return null;
    return [Number(buf.toString('latin1', 0, i)), i + 1];
  }
}

function terminator(buf: Buffer): number {
  const lf = buf.indexOf(LF);
  const nul = buf.indexOf(NUL);
  if (lf === -1) return nul;
  if (nul === -1) return lf;
  return Math.min(lf, nul);
}
