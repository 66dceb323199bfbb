// The non-syslog prefixes OSSEC's pre-decoder strips when no syslog header matched (spec §2, "other
// recognised prefixes"): xferlog, snort, suricata, Apache error log, OS X ASL and squid. Same fixed
// offsets, same order, same results as OSSEC 3.3.0 and 4.2 (identical there) and Wazuh 4.14.7; the
// two differ only where noted. Called only after the syslog forms failed, so syslog lines never pay.
import type { Dialect } from './regex/pattern.js';

/** The pre-decoded fields a prefix sets (a part of `Predecoded`; declared here to keep imports one way). */
export interface PrefixFields {
  timestamp: string | null;
  hostname: string | null;
  programName: string | null;
  log: string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Tries the non-syslog prefixes on `p` (the line after control-byte removal and `Mär` folding).
 * On a match sets `t`'s timestamp/hostname/programName/log and returns true; otherwise leaves `t`
 * alone. Lengths are as OSSEC's `loglen > n` (loglen counts the NUL: n characters or more).
 */
export function otherPrefix(t: PrefixFields, p: string, dialect: Dialect): boolean {
  const len = p.length;
  const is = (i: number, ch: string) => p[i] === ch;
  // xferlog: "Mon Apr 17 18:27:14 2006 1 64.160.42.130 …". OSSEC skips 24 characters (the message
  // keeps its leading space), Wazuh 25.
  if (len >= 28 && is(3, ' ') && is(7, ' ') && is(10, ' ') && is(13, ':') && is(16, ':') && is(19, ' ') && is(24, ' ') && is(26, ' ')) {
    t.timestamp = p.slice(0, 24);
    t.log = p.slice(dialect === 'wazuh' ? 25 : 24);
    return true;
  }
  // snort: "01/28-09:13:16.240702  [**] …", 23 characters skipped.
  if (len >= 24 && is(2, '/') && is(5, '-') && is(8, ':') && is(11, ':') && is(14, '.') && is(21, ' ')) {
    t.timestamp = p.slice(0, 21);
    t.log = p.slice(23);
    return true;
  }
  // suricata: "01/28/1979-09:13:16.240702  [**] …", 28 characters skipped. Wazuh wants 28 characters
  // or more, OSSEC 26.
  if (len >= (dialect === 'wazuh' ? 28 : 26) && is(2, '/') && is(5, '/') && is(10, '-') && is(13, ':') && is(16, ':') && is(19, '.') && is(26, ' ')) {
    t.timestamp = p.slice(0, 26);
    t.log = p.slice(28);
    return true;
  }
  // Apache error log: "[Fri Feb 11 18:06:35 2004] [warn] …", 27 characters skipped; the timestamp
  // is the text inside the brackets.
  if (len >= 27 && is(0, '[') && is(4, ' ') && is(8, ' ') && is(11, ' ') && is(14, ':') && is(17, ':') && is(20, ' ') && is(25, ']')) {
    t.timestamp = p.slice(1, 25);
    t.log = p.slice(27);
    return true;
  }
  // OS X ASL: "[Time 2006.12.28 15:53:55 UTC] [Facility auth] [Sender sshd] … [Message …] … [Host h]".
  if (len >= 26 && is(0, '[') && is(1, 'T') && is(5, ' ') && is(10, '.') && is(13, '.') && is(16, ' ') && is(19, ':')) {
    aslEntries(t, p);
    // Wazuh keeps no timestamp for this form; ours (OSSEC keeps none at all) is the date and zone.
    if (dialect === 'ossec') t.timestamp = p.startsWith(' UTC]', 25) ? p.slice(6, 29) : p.slice(6, 25);
    return true;
  }
  // squid: "1140804070.368  11623 …" (epoch seconds): 14 characters and then every space skipped.
  if (
    len >= 32 &&
    is(0, '1') &&
    isDigit(p.charCodeAt(1)) &&
    isDigit(p.charCodeAt(2)) &&
    isDigit(p.charCodeAt(3)) &&
    is(10, '.') &&
    isDigit(p.charCodeAt(13)) &&
    is(14, ' ') &&
    (is(21, ' ') || is(22, ' '))
  ) {
    let i = 14;
    while (p.charCodeAt(i) === 32) i++;
    // Wazuh's is everything before the message but its last space; ours (OSSEC keeps none) the number.
    t.timestamp = dialect === 'wazuh' ? p.slice(0, i - 1) : p.slice(0, 14);
    t.log = p.slice(i);
    return true;
  }
  return false;
}

/**
 * The bracketed ASL entries after the date, read left to right: the first `Sender` is the program
 * name, the first `Message` the log (up to its first `]`), and `Host` the hostname, which ends the
 * walk. Without a `Message` the log is everything after character 25.
 */
function aslEntries(t: PrefixFields, p: string): void {
  t.log = p.slice(25);
  let messageDone = false;
  let k = p.indexOf('[', 25);
  while (k >= 0) {
    k++;
    if (t.programName === null && p.startsWith('Sender ', k)) {
      const end = p.indexOf(']', k + 7);
      if (end < 0) break;
      t.programName = p.slice(k + 7, end);
      k = end + 1;
    } else if (!messageDone && p.startsWith('Message ', k)) {
      messageDone = true;
      const end = p.indexOf(']', k + 8);
      if (end < 0) {
        t.log = p.slice(k + 8);
        break;
      }
      t.log = p.slice(k + 8, end);
      k = end + 1;
    } else if (p.startsWith('Host ', k)) {
      const end = p.indexOf(']', k + 5);
      if (end >= 0) t.hostname = p.slice(k + 5, end);
      break;
    }
    k = p.indexOf('[', k);
  }
}
