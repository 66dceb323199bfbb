// Pre-decoding: recognise the syslog header of a line and split it into timestamp, hostname,
// program name and the message (`log`) that decoders and rules see. The header tests are fixed
// offset character checks, tried in a fixed order (spec §2, §11.5).
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

/** Length of the recognised timestamp prefix (before the optional extra space), or 0. */
export function timestampLength(p: string, dialect: Dialect): number {
  const len = p.length;
  const at = (i: number) => p.charCodeAt(i);
  const is = (i: number, ch: string) => p[i] === ch;
  // 1: "Dec 29 10:00:01 "
  if (len > 17 && is(3, ' ') && is(6, ' ') && is(9, ':') && is(12, ':') && is(15, ' ')) return 16;
  // 2: "2015-04-16 21:51:02,805 " (proftpd)
  if (len > 24 && is(4, '-') && is(7, '-') && is(10, ' ') && is(13, ':') && is(16, ':') && is(19, ',')) return dialect === 'wazuh' ? 24 : 23;
  // 3: "2007-06-14T15:48:55-04:00 " and 3b with fractions
  if (len > 33 && is(4, '-') && is(7, '-') && is(10, 'T') && is(13, ':') && is(16, ':')) {
    if (is(22, ':') && is(25, ' ')) return 26;
    if (is(19, '.') || (dialect === 'ossec' && is(19, ','))) {
      if (dialect === 'wazuh') {
        if (is(26, ':')) return 30;
        if (is(29, ':')) return 33;
        return 32;
      }
      for (let k = 24; k <= 29; k++) if (is(k, ':')) return k + 3;
    }
  }
  // 4: "2015 Dec 29 10:00:01 "
  if (len > 21 && isDigit(at(0)) && is(4, ' ') && is(8, ' ') && is(11, ' ') && is(14, ':') && is(17, ':') && is(20, ' ')) return 21;
  // 5W: "2021-04-21 10:16:09.404756-0700 " (macOS)
  if (dialect === 'wazuh' && len > 33 && isDigit(at(0)) && is(4, '-') && is(7, '-') && is(10, ' ') && is(13, ':') && is(16, ':') && is(19, '.') && (is(26, '+') || is(26, '-')) && is(31, ' '))
    return 32;
  // 5O: "2019:11:06-00:08:03" (OSSEC 4.x)
  if (dialect === 'ossec' && len >= 20 && isDigit(at(0)) && is(4, ':') && is(7, ':') && is(10, '-') && is(13, ':') && is(16, ':')) return 20;
  return 0;
}

/** Deletes bytes 0x00–0x1F and 0x7F, as OSSEC 4.x does before parsing (CVE-2020-8445). */
export function removeControlBytes(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127) return s.replace(CONTROL, '');
  }
  return s;
}

export function predecode(line: string, dialect: Dialect): Predecoded {
  let full = line;
  if (dialect === 'ossec') full = removeControlBytes(full);
  // German "Mär": the header checks are byte offsets, so fold the umlaut first.
  const p = full.charCodeAt(1) === 0xe4 ? `${full[0]}a${full.slice(2)}` : full;
  const headerless: Predecoded = { fullLog: full, timestamp: null, hostname: null, programName: null, log: full };

  const tsLen = timestampLength(p, dialect);
  if (tsLen === 0) return headerless;
  const timestamp = p.slice(0, tsLen).trimEnd();
  let i = tsLen;
  if (p.charCodeAt(i) === 32) i++;
  const afterTs = i;

  // hostname: the longest run of hostname characters
  const hostStart = i;
  while (i < p.length && isHostChar(p.charCodeAt(i))) i++;
  const hostRun = p.slice(hostStart, i);
  if (p[i] === ':' && p[i + 1] === ' ') {
    // Solaris without host: the run was the program name.
    return finish({ fullLog: full, timestamp, hostname: null, programName: hostRun, log: p.slice(i + 2) }, dialect);
  }
  if (p[i] !== ' ' || hostRun === '') {
    return { fullLog: full, timestamp, hostname: null, programName: null, log: p.slice(afterTs) };
  }
  i++;
  const afterHost = i;
  const progStart = i;
  while (i < p.length && isHostChar(p.charCodeAt(i))) i++;
  const prog = p.slice(progStart, i);
  const withProgram = (programName: string, logStart: number): Predecoded =>
    finish({ fullLog: full, timestamp, hostname: hostRun, programName, log: p.slice(logStart) }, dialect);
  const noProgram = (): Predecoded => ({ fullLog: full, timestamp, hostname: hostRun, programName: null, log: p.slice(afterHost) });
  if (prog === '') return noProgram();
  const c = p[i];
  if (c === ':') {
    if (p[i + 1] === ' ') return withProgram(prog, i + 2);
    if (dialect === 'wazuh') return withProgram(prog, i + 1);
    return noProgram();
  }
  if (c === '[') {
    let j = i + 1;
    while (j < p.length && isDigit(p.charCodeAt(j))) j++;
    if (p[j] === ']') {
      if (p[j + 1] === ':') {
        if (p[j + 2] === ' ') return withProgram(prog, j + 3);
        if (dialect === 'wazuh') return withProgram(prog, j + 2);
        return noProgram();
      }
      if (p[j + 1] === ' ') return withProgram(prog, j + 2);
    }
    return noProgram();
  }
  if (c === '|') {
    // AIX: "prog|facility:severity prog2[pid]: msg"
    const sp = p.indexOf(' ', i);
    if (sp > 0) {
      let j = sp + 1;
      const s2 = j;
      while (j < p.length && isHostChar(p.charCodeAt(j))) j++;
      const prog2 = p.slice(s2, j);
      if (prog2 !== '' && p[j] === '[') {
        const close = p.indexOf(']: ', j);
        if (close > 0) return withProgram(prog2, close + 3);
      }
    }
    return noProgram();
  }
  return noProgram();
}

/** Removes a Solaris "[ID nnn fac.sev] " prefix from the message. */
function finish(r: Predecoded, dialect: Dialect): Predecoded {
  if (r.log.startsWith('[ID ')) {
    if (dialect === 'ossec') {
      const end = r.log.indexOf('] ');
      if (end > 0) r.log = r.log.slice(end + 2);
    } else {
      const end = r.log.indexOf(']');
      if (end > 0) r.log = r.log.slice(end + 2);
    }
  }
  return r;
}
