// `logs/active-responses.log` in the data dir, in OSSEC's line format: the call line execd's shell
// scripts write (`` `date` $0 $1 $2 $3 $4 $5 ``), then `` `date` $0: … `` lines for results, and
// `` `date` portcullis: … `` for decisions that ran nothing (refusals, extensions). Appended in order
// through one stream; a log that cannot be written never stops a block.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let zoneFormat: Intl.DateTimeFormat | null = null;
let zoneCache = { hour: -1, name: 'UTC' };

/** The zone's short name (`UTC`, `CET`, `CEST`), read once an hour: a new formatter per line cost ms. */
function zoneName(d: Date): string {
  const hour = Math.floor(d.getTime() / 3_600_000);
  if (hour !== zoneCache.hour) {
    zoneFormat ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
    const part = zoneFormat.formatToParts(d).find((p) => p.type === 'timeZoneName');
    zoneCache = { hour, name: part?.value ?? 'UTC' };
  }
  return zoneCache.name;
}

/** `date`'s default output in the C locale: `Tue Nov 28 09:39:15 UTC 2023`. */
export function dateLine(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${zoneName(d)} ${d.getFullYear()}`;
}

/** Control characters become `?` and long values are cut: a log line stays one line. */
function clean(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 2000);
}

export interface ArLogSink {
  call(ms: number, program: string, argv: readonly string[]): void;
  line(ms: number, who: string, message: string): void;
  close(): Promise<void>;
}

export class ArLog implements ArLogSink {
  readonly path: string;
  #stream: WriteStream | null = null;
  #broken = false;

  constructor(path: string) {
    this.path = path;
  }

  #write(text: string): void {
    if (this.#broken) return;
    if (!this.#stream) {
      try {
        mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      } catch {
        this.#broken = true;
        return;
      }
      this.#stream = createWriteStream(this.path, { flags: 'a', mode: 0o600 }); // private, like the data dir
      this.#stream.on('error', () => {
        this.#broken = true;
      });
    }
    this.#stream.write(text);
  }

  /** The OSSEC call line: `date` $0 $1 $2 $3 $4 $5 (the json protocol logs its program alone). */
  call(ms: number, program: string, argv: readonly string[]): void {
    this.#write(`${dateLine(ms)} ${clean([program, ...argv.slice(0, 5)].join(' '))}\n`);
  }

  line(ms: number, who: string, message: string): void {
    this.#write(`${dateLine(ms)} ${clean(who)}: ${clean(message)}\n`);
  }

  close(): Promise<void> {
    const s = this.#stream;
    this.#stream = null;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(resolve));
  }
}
