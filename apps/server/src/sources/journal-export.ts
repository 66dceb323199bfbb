// systemd's Journal Export Format, read as a stream (systemd-journal-upload's POST /upload body):
// entries of `FIELD=value` lines ending with an empty line; a field whose value may hold any byte
// is its name, LF, its length as 64-bit little-endian, the bytes, LF. Chunks end anywhere, even
// inside a length. Pure: no I/O. Limits: a field's size, the fields of an entry and its total
// size; an entry over them is still returned (marked `oversized`, big values left out) so its
// `__CURSOR` still moves the upload on, and the caller counts it instead of storing it.

const LF = 0x0a;
const FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;

export interface JournalExportLimits {
  /** Bytes of one value; bigger ones are skipped. Default 64 KiB (a line is cut there anyway). */
  maxFieldBytes?: number;
  /** Fields of one entry (journald allows 1024 per entry at most). Default 1024. */
  maxFields?: number;
  /** Bytes of one entry's kept values. Default 1 MiB. */
  maxEntryBytes?: number;
}

export interface JournalExportEntry {
  /** The first value of each field, as UTF-8 text. */
  fields: Record<string, string>;
  /** Why some of it was left out (`field-too-large`, `too-many-fields`, `entry-too-large`), else null. */
  oversized: string | null;
}

export class JournalExportError extends Error {}

export class JournalExportParser {
  readonly #maxField: number;
  readonly #maxFields: number;
  readonly #maxEntry: number;
  #buf: Buffer = Buffer.alloc(0);
  #fields: Record<string, string> = Object.create(null) as Record<string, string>;
  #count = 0;
  #bytes = 0;
  #oversized: string | null = null;
  /** Entries completed so far (for error messages: the next one is #entries + 1). */
  #entries = 0;
  /** A binary field's name, waiting for its length. */
  #binName: string | null = null;
  /** A binary field's data being read. */
  #bin: { name: string; left: number; parts: Buffer[]; keep: boolean } | null = null;
  /** The LF after a binary field's data is next. */
  #afterBin = false;
  /** Dropping the rest of a text line that is over the limit. */
  #skipLine = false;

  constructor(limits: JournalExportLimits = {}) {
    this.#maxField = limits.maxFieldBytes ?? 64 * 1024;
    this.#maxFields = limits.maxFields ?? 1024;
    this.#maxEntry = limits.maxEntryBytes ?? 1024 * 1024;
  }

  /** Entries completed by `chunk`. Throws JournalExportError on bytes that are not the format. */
  push(chunk: Buffer): JournalExportEntry[] {
    let buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: JournalExportEntry[] = [];
    for (;;) {
      if (this.#bin) {
        const bin = this.#bin;
        const n = Math.min(bin.left, buf.length);
        if (bin.keep && n > 0) bin.parts.push(Buffer.from(buf.subarray(0, n)));
        bin.left -= n;
        buf = buf.subarray(n);
        if (bin.left > 0) break;
        if (bin.keep) this.#set(bin.name, Buffer.concat(bin.parts).toString('utf8'));
        this.#bin = null;
        this.#afterBin = true;
        continue;
      }
      if (this.#afterBin) {
        if (buf.length === 0) break;
        if (buf[0] !== LF) throw this.#error(`no newline after the binary field's data`);
        buf = buf.subarray(1);
        this.#afterBin = false;
        continue;
      }
      if (this.#binName !== null) {
        if (buf.length < 8) break;
        const size = buf.readBigUInt64LE(0);
        buf = buf.subarray(8);
        const name = this.#binName;
        this.#binName = null;
        const left = size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size);
        const keep = this.#room(name, left);
        this.#bin = { name, left, parts: [], keep };
        continue;
      }
      const lf = buf.indexOf(LF);
      if (this.#skipLine) {
        if (lf < 0) {
          buf = Buffer.alloc(0);
          break;
        }
        buf = buf.subarray(lf + 1);
        this.#skipLine = false;
        continue;
      }
      if (lf < 0) {
        if (buf.length > this.#maxField + 65) {
          // A text field over the limit: note it, drop the rest of its line.
          this.#mark('field-too-large');
          this.#skipLine = true;
          buf = Buffer.alloc(0);
        }
        break;
      }
      const line = buf.subarray(0, lf);
      buf = buf.subarray(lf + 1);
      if (line.length === 0) {
        if (this.#count > 0 || this.#oversized !== null) out.push(this.#finish());
        continue;
      }
      const eq = line.indexOf(0x3d); // '='
      const name = line.toString('utf8', 0, eq < 0 ? line.length : eq);
      if (!FIELD_NAME.test(name)) throw this.#error(`"${name.slice(0, 80)}" is not a field name (letters, digits and _)`);
      if (eq < 0) {
        this.#binName = name;
        continue;
      }
      const size = line.length - eq - 1;
      if (this.#room(name, size)) this.#set(name, line.toString('utf8', eq + 1));
    }
    this.#buf = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
    return out;
  }

  /** The body ended: a last entry without its empty line still counts; one cut inside a field is an error. */
  end(): JournalExportEntry[] {
    if (this.#bin || this.#binName !== null || this.#afterBin || this.#buf.length > 0) {
      if (this.#skipLine && this.#bin === null && this.#binName === null) this.#skipLine = false;
      else throw this.#error('the body ended inside a field');
    }
    return this.#count > 0 || this.#oversized !== null ? [this.#finish()] : [];
  }

  /** Whether a value of `size` bytes fits; if not, the entry is marked and the value left out. */
  #room(name: string, size: number): boolean {
    if (name in this.#fields) return false; // a repeated field: the first value is the one read
    if (size > this.#maxField) return this.#mark('field-too-large');
    if (this.#count >= this.#maxFields) return this.#mark('too-many-fields');
    if (this.#bytes + size > this.#maxEntry) return this.#mark('entry-too-large');
    return true;
  }

  #mark(reason: string): false {
    this.#oversized ??= reason;
    return false;
  }

  #set(name: string, value: string): void {
    this.#fields[name] = value;
    this.#count++;
    this.#bytes += value.length;
  }

  #finish(): JournalExportEntry {
    const entry = { fields: this.#fields, oversized: this.#oversized };
    this.#fields = Object.create(null) as Record<string, string>;
    this.#count = 0;
    this.#bytes = 0;
    this.#oversized = null;
    this.#entries++;
    return entry;
  }

  #error(message: string): JournalExportError {
    return new JournalExportError(`journal export entry ${this.#entries + 1}: ${message}`);
  }
}

/** A journal cursor's seqnum id and sequence number (`s=…;i=…`), the order within one journal. */
export interface JournalCursorPosition {
  seqnumId: string;
  seqnum: bigint;
}

export function journalCursorPosition(cursor: string): JournalCursorPosition | null {
  const s = /(?:^|;)s=([0-9a-f]{32})(?:;|$)/.exec(cursor);
  const i = /(?:^|;)i=([0-9a-f]{1,16})(?:;|$)/.exec(cursor);
  return s && i ? { seqnumId: s[1]!, seqnum: BigInt(`0x${i[1]!}`) } : null;
}

/** Whether an entry at `cursor` was already taken when `last` was (same journal, not later). */
export function cursorTaken(cursor: string, last: string | undefined): boolean {
  if (last === undefined) return false;
  if (cursor === last) return true;
  const c = journalCursorPosition(cursor);
  const l = journalCursorPosition(last);
  return c !== null && l !== null && c.seqnumId === l.seqnumId && c.seqnum <= l.seqnum;
}
