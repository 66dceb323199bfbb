// Pre-decoding: recognise the syslog header of a line and split it into timestamp, hostname,
// program name and the message (`log`) that decoders and rules see. The header tests are fixed
// offset character checks, tried in a fixed order (spec §2, §11.5); when none matches, the other
// prefixes OSSEC strips (xferlog, snort, suricata, Apache, OS X ASL, squid) are tried
// (`predecode-formats.ts`).
import { Event, LOG_MASK } from './event.js';
import { otherPrefix } from './predecode-formats.js';
import type { Dialect } from './regex/pattern.js';

export interface Predecoded {
  /** The line after control-byte removal (OSSEC 4.x), as rules' `full_log`. */
  fullLog: string;
  timestamp: string | null;
  hostname: string | null;
  programName: string | null;
  log: string;
}

const HOST_CHARS = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789()-./@_') HOST_CHARS[ch.charCodeAt(0)] = 1;

function isHostChar(c: number): boolean {
  return c < 128 && HOST_CHARS[c] === 1;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

 
const CONTROL = /[\x00-\x1f\x7f]/g;

// Character codes the header checks compare with.
const SP = 32;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const COMMA = 44;
const PLUS = 43;
const T = 84;

/**
 * Length of the recognised timestamp prefix (before the optional extra space), or 0. `len` is the
 * line's length as OSSEC counts it: its `loglen > n` counts the terminating NUL, so each form needs
 * n bytes or more (a 17-byte "Dec 29 10:00:01 x" has a header), in UTF-8 bytes.
 */
export function timestampLength(p: string, dialect: Dialect, len = p.length): number {
  // 1: "Dec 29 10:00:01 "
  if (len >= 17 && p.charCodeAt(3) === SP && p.charCodeAt(6) === SP && p.charCodeAt(9) === COLON && p.charCodeAt(12) === COLON && p.charCodeAt(15) === SP) return 16;
  const c4 = p.charCodeAt(4);
  if (c4 === DASH && p.charCodeAt(7) === DASH && p.charCodeAt(13) === COLON && p.charCodeAt(16) === COLON) {
    const c10 = p.charCodeAt(10);
    // 2: "2015-04-16 21:51:02,805 " (proftpd)
    if (len >= 24 && c10 === SP && p.charCodeAt(19) === COMMA) return dialect === 'wazuh' ? 24 : 23;
    // 3: "2007-06-14T15:48:55-04:00 " and 3b with fractions
    if (len >= 33 && c10 === T) {
      if (p.charCodeAt(22) === COLON && p.charCodeAt(25) === SP) return 26;
      const c19 = p.charCodeAt(19);
      if (c19 === DOT || (dialect === 'ossec' && c19 === COMMA)) {
        if (dialect === 'wazuh') {
          if (p.charCodeAt(26) === COLON) return 30;
          if (p.charCodeAt(29) === COLON) return 33;
          return 32;
        }
        for (let k = 24; k <= 29; k++) if (p.charCodeAt(k) === COLON) return k + 3;
      }
    }
  }
  const digit0 = isDigit(p.charCodeAt(0));
  // 4: "2015 Dec 29 10:00:01 "
  if (len >= 21 && digit0 && c4 === SP && p.charCodeAt(8) === SP && p.charCodeAt(11) === SP && p.charCodeAt(14) === COLON && p.charCodeAt(17) === COLON && p.charCodeAt(20) === SP) return 21;
  // 5W: "2021-04-21 10:16:09.404756-0700 " (macOS)
  if (dialect === 'wazuh') {
    if (len >= 33 && digit0 && c4 === DASH && p.charCodeAt(7) === DASH && p.charCodeAt(10) === SP && p.charCodeAt(13) === COLON && p.charCodeAt(16) === COLON && p.charCodeAt(19) === DOT) {
      const c26 = p.charCodeAt(26);
      if ((c26 === PLUS || c26 === DASH) && p.charCodeAt(31) === SP) return 32;
    }
    return 0;
  }
  // 5O: "2019:11:06-00:08:03" (OSSEC 4.x)
  if (len >= 20 && digit0 && c4 === COLON && p.charCodeAt(7) === COLON && p.charCodeAt(10) === DASH && p.charCodeAt(13) === COLON && p.charCodeAt(16) === COLON) return 20;
  return 0;
}

const CONTROL_ANY = /[\x00-\x1f\x7f]/;

/** Deletes bytes 0x00–0x1F and 0x7F, as OSSEC 4.x does before parsing (CVE-2020-8445). */
export function removeControlBytes(s: string): string {
  return CONTROL_ANY.test(s) ? s.replace(CONTROL, '') : s;
}

/** `p.slice(0, n).trimEnd()` with one slice when the cut ends in plain spaces after a printable character. */
function trimmedPrefix(p: string, n: number): string {
  let end = n;
  while (end > 0 && p.charCodeAt(end - 1) === SP) end--;
  if (end === 0) return '';
  const c = p.charCodeAt(end - 1);
  return c > SP && c < 127 ? p.slice(0, end) : p.slice(0, end).trimEnd();
}

export function predecode(line: string, dialect: Dialect): Predecoded {
  return predecodeInto({ fullLog: '', timestamp: null, hostname: null, programName: null, log: '' }, line, dialect);
}

/**
 * Pre-decodes `line` into `t`'s fields (the engine passes its Event, so no intermediate object is
 * made per line). Returns `t`.
 *
 * OSSEC deletes control bytes first. Nearly no line has one, so the header is read from the line
 * as it is and one pass then checks for control bytes and, for an Event whose log is the line's
 * tail, computes the log's character mask on the way (LOG_MASK, not a second scan); a line
 * with a control byte is read again after the deletion.
 */
export function predecodeInto<T extends Predecoded>(t: T, line: string, dialect: Dialect, ascii: Uint8Array | null = null, at = 0): T {
  const event = t instanceof Event ? t : null;
  const start = parse(t, line, dialect);
  if (dialect !== 'ossec') {
    if (event !== null) {
      tail(event, start);
      if (ascii !== null && start >= 0) {
        maskBytes(ascii, at + start, at + line.length);
        LOG_MASK.owner = event;
      }
    }
    return t;
  }
  const ev = start >= 0 ? event : null;
  if (ascii !== null ? cleanAndMaskBytes(ascii, at, line.length, ev === null ? -1 : start) : cleanAndMask(line, ev === null ? -1 : start)) {
    if (ev !== null) LOG_MASK.owner = ev;
    if (event !== null) tail(event, start);
    return t;
  }
  const again = parse(t, line.replace(CONTROL, ''), dialect);
  if (event !== null) tail(event, again);
  return t;
}

/**
 * Where the log of the event last pre-decoded starts in its fullLog, when it is its tail (as
 * LOG_MASK, one event at a time, tagged with it): what event-wire sends for the log without
 * comparing the two strings.
 */
export const LOG_TAIL = { owner: null as Event | null, at: -1 };

function tail(ev: Event, at: number): void {
  LOG_TAIL.owner = at >= 0 ? ev : null;
  LOG_TAIL.at = at;
}

/** Room for the UTF-8 bytes of a line cleanAndMask reads from bytes (engine events are ≤ 6135 bytes by default). */
const SCRATCH = new Uint8Array(8192);
const UTF8 = new TextEncoder();

/**
 * False when `line` has a control byte (0x00–0x1F, 0x7F). Otherwise, when `from` ≥ 0, leaves in
 * LOG_MASK the lowercased-ASCII mask of `line.slice(from)`, as logMask makes it (the caller names
 * its owner).
 *
 * An ASCII line (nearly all) is read from its bytes, copied out natively: a character of a string
 * sliced from a bigger one (as read lines are) costs several times a byte of a typed array, and
 * this loop was the engine's largest (6,000 of ~35,000 instructions per auth-log line).
 */
function cleanAndMask(line: string, from: number): boolean {
  const len = line.length;
  if (len <= SCRATCH.length) {
    const r = UTF8.encodeInto(line, SCRATCH);
    // A non-ASCII character takes two bytes or more: then characters and bytes do not line up.
    if (r.written === len && r.read === len) return cleanAndMaskBytes(SCRATCH, 0, len, from);
  }
  const head = from < 0 ? len : from;
  for (let i = 0; i < head; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c === 127) return false;
  }
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = head; i < len; i++) {
    let c = line.charCodeAt(i);
    if (c >= 64) {
      if (c >= 128) continue;
      if (c === 127) return false;
      if (c >= 65 && c <= 90) c += 32;
      if (c >= 96) m3 |= 1 << (c & 31);
      else m2 |= 1 << (c & 31);
    } else if (c >= 32) m1 |= 1 << (c & 31);
    else return false;
  }
  if (from >= 0) {
    LOG_MASK.m0 = 0; // only control characters live in the first word, and the line has none
    LOG_MASK.m1 = m1;
    LOG_MASK.m2 = m2;
    LOG_MASK.m3 = m3;
  }
  return true;
}

/** Leaves in LOG_MASK the mask logMask makes of an ASCII log whose characters are `b[from]` … `b[end - 1]`. */
function maskBytes(b: Uint8Array, from: number, end: number): void {
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = from; i < end; i++) {
    let c = b[i]!;
    if (c >= 64) {
      if (c >= 65 && c <= 90) c += 32;
      if (c >= 96) m3 |= 1 << (c & 31);
      else m2 |= 1 << (c & 31);
    } else if (c >= 32) m1 |= 1 << (c & 31);
    else m0 |= 1 << c;
  }
  LOG_MASK.m0 = m0;
  LOG_MASK.m1 = m1;
  LOG_MASK.m2 = m2;
  LOG_MASK.m3 = m3;
}

/** cleanAndMask over an ASCII line of `len` characters, which are `b`'s bytes from `at`. */
function cleanAndMaskBytes(b: Uint8Array, at: number, len: number, from: number): boolean {
  const head = at + (from < 0 ? len : from);
  const end = at + len;
  for (let i = at; i < head; i++) {
    const c = b[i]!;
    if (c < 32 || c === 127) return false;
  }
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = head; i < end; i++) {
    let c = b[i]!;
    if (c >= 64) {
      if (c === 127) return false;
      if (c >= 65 && c <= 90) c += 32;
      if (c >= 96) m3 |= 1 << (c & 31);
      else m2 |= 1 << (c & 31);
    } else if (c >= 32) m1 |= 1 << (c & 31);
    else return false;
  }
  if (from >= 0) {
    LOG_MASK.m0 = 0;
    LOG_MASK.m1 = m1;
    LOG_MASK.m2 = m2;
    LOG_MASK.m3 = m3;
  }
  return true;
}

/**
 * Reads the header of `full` (the line after any control-byte deletion) into `t`. Returns where
 * `t.log` starts in `full` when it is the tail of `full`, else -1.
 */
function parse(t: Predecoded, full: string, dialect: Dialect): number {
  t.fullLog = full;
  t.timestamp = null;
  t.hostname = null;
  t.programName = null;
  t.log = full;
  // German "Mär": the header checks are byte offsets, so fold the umlaut first.
  const p = full.charCodeAt(1) === 0xe4 ? `${full[0]}a${full.slice(2)}` : full;
  // OSSEC's lengths are in bytes; they only matter below 33, where a non-ASCII character counts more.
  const tsLen = timestampLength(p, dialect, full.length >= 33 ? full.length : Buffer.byteLength(full));
  if (tsLen === 0) return otherPrefix(t, p, dialect) ? -1 : 0;
  t.timestamp = trimmedPrefix(p, tsLen);
  let i = tsLen;
  if (p.charCodeAt(i) === 32) i++;
  const afterTs = i;

  // hostname: the longest run of hostname characters
  while (i < p.length && isHostChar(p.charCodeAt(i))) i++;
  const hostEnd = i;
  if (p.charCodeAt(i) === 58 && p.charCodeAt(i + 1) === 32) {
    // "host: msg" — Solaris without a host: the run was the program name.
    t.programName = p.slice(afterTs, hostEnd);
    t.log = p.slice(i + 2);
    stripSolarisId(t, dialect);
    return p.length - t.log.length;
  }
  if (p.charCodeAt(i) !== 32 || hostEnd === afterTs) {
    t.log = p.slice(afterTs);
    return afterTs;
  }
  t.hostname = p.slice(afterTs, hostEnd);
  i++;
  const afterHost = i;
  while (i < p.length && isHostChar(p.charCodeAt(i))) i++;
  const progEnd = i;
  // Where the message starts when a program name is recognised (-1: none is).
  let logStart = -1;
  let progStart = afterHost;
  let progStop = progEnd;
  if (progEnd > afterHost) {
    const c = p.charCodeAt(i);
    if (c === 58) {
      // "prog: msg" (Wazuh also "prog:msg")
      if (p.charCodeAt(i + 1) === 32) logStart = i + 2;
      else if (dialect === 'wazuh') logStart = i + 1;
    } else if (c === 91) {
      // "prog[123]: msg", "prog[123] msg" (Wazuh also "prog[123]:msg")
      let j = i + 1;
      while (j < p.length && isDigit(p.charCodeAt(j))) j++;
      if (p.charCodeAt(j) === 93) {
        if (p.charCodeAt(j + 1) === 58) {
          if (p.charCodeAt(j + 2) === 32) logStart = j + 3;
          else if (dialect === 'wazuh') logStart = j + 2;
        } else if (p.charCodeAt(j + 1) === 32) logStart = j + 2;
      }
    } else if (c === 124) {
      // AIX: "prog|facility:severity prog2[pid]: msg"
      const sp = p.indexOf(' ', i);
      if (sp > 0) {
        let j = sp + 1;
        while (j < p.length && isHostChar(p.charCodeAt(j))) j++;
        if (j > sp + 1 && p.charCodeAt(j) === 91) {
          const close = p.indexOf(']: ', j);
          if (close > 0) {
            logStart = close + 3;
            progStart = sp + 1;
            progStop = j;
          }
        }
      }
    }
  }
  if (logStart < 0) {
    t.log = p.slice(afterHost);
    return afterHost;
  }
  t.programName = p.slice(progStart, progStop);
  t.log = p.slice(logStart);
  stripSolarisId(t, dialect);
  return p.length - t.log.length;
}

/** Removes a Solaris "[ID nnn fac.sev] " prefix from the message. */
function stripSolarisId(r: Predecoded, dialect: Dialect): void {
  if (r.log.charCodeAt(0) !== 91 || !r.log.startsWith('[ID ')) return; // '['
  const end = dialect === 'ossec' ? r.log.indexOf('] ') : r.log.indexOf(']');
  if (end > 0) r.log = r.log.slice(end + 2);
}
