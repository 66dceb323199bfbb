// Syslog messages (RFC 3164 and RFC 5424) to the classic line OSSEC's pre-decoder reads:
// `Mmm dd hh:mm:ss host prog[pid]: msg`, without the <PRI>. Pure: the reception time and the
// sender's address come in as arguments.

import { MONTHS, formatSyslogTime } from './syslog-time.js';

export interface ParsedSyslog {
  format: 'rfc3164' | 'rfc5424';
  facility: number | null;
  severity: number | null;
  /** The sender's timestamp, or the reception time when it had none. */
  timestamp: Date;
  host: string;
  /** `prog[pid]` / `app[procid]` / `app`, when the message has one the parser can tell apart. */
  tag: string | null;
  /** RFC 5424 only. */
  msgid: string | null;
  /** RFC 5424 structured data as sent (`[id k="v"]...`), or null. Not part of `line`. */
  structuredData: string | null;
  message: string;
  /** The classic syslog line, the one handed to the pipeline. */
  line: string;
}

const MONTH_INDEX = new Map<string, number>(MONTHS.map((m, i) => [m, i]));
const BSD_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?: (?=\S)|$)/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const BOM = '\uFEFF';

/** `::ffff:192.0.2.1` → `192.0.2.1`; other addresses as they are. */
export function normalizeSender(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Parses one syslog message. Returns null for an empty one. Never throws: text that follows no
 * syslog form is kept whole as the message of a line stamped with the reception time and sender.
 */
export function parseSyslog(input: string | Buffer, sender: string, receivedAt: number | Date): ParsedSyslog | null {
  const received = new Date(receivedAt);
  const senderHost = normalizeSender(sender);
  // One message is one line: frame terminators go, inner line breaks become spaces.
  const text = (typeof input === 'string' ? input : input.toString('utf8')).replace(/[\r\n\0]+$/, '').replace(/[\r\n\0]/g, ' ');
  if (text.trim() === '') return null;

  let facility: number | null = null;
  let severity: number | null = null;
  let rest = text;
  const pri = /^<(\d{1,3})>/.exec(text);
  if (pri && Number(pri[1]) <= 191) {
    facility = Math.floor(Number(pri[1]) / 8);
    severity = Number(pri[1]) % 8;
    rest = text.slice(pri[0].length);
  }
  const base = { facility, severity };
  if (rest.startsWith('1 ')) {
    const parsed = parse5424(rest.slice(2), senderHost, received);
    if (parsed) return { ...base, ...parsed };
  }
  return { ...base, ...parse3164(rest, senderHost, received) };
}

type Body = Omit<ParsedSyslog, 'facility' | 'severity'>;

function parse3164(rest: string, sender: string, received: Date): Body {
  let timestamp: Date | null = null;
  let after = rest;
  const bsd = BSD_TIME.exec(rest);
  const month = bsd ? MONTH_INDEX.get(bsd[1]!) : undefined;
  if (bsd && month !== undefined) {
    const [, , day, year, hh, mm, ss] = bsd;
    timestamp = withYear(month, Number(day), Number(hh), Number(mm), Number(ss), year ? Number(year) : null, received);
    after = rest.slice(bsd[0].length);
  } else {
    // RFC 3339 stamps in the 3164 layout, as rsyslog and syslog-ng forward them.
    const iso = /^(\S+) /.exec(rest);
    const date = iso ? parseIsoTime(iso[1]!) : null;
    if (iso && date) {
      timestamp = date;
      after = rest.slice(iso[0].length);
    }
  }
  if (!timestamp) {
    // No timestamp: per RFC 3164 the relay stamps it and the whole text is the content.
    const tag = tagOf(rest);
    return { format: 'rfc3164', timestamp: received, host: sender, tag, msgid: null, structuredData: null, message: rest, line: `${formatSyslogTime(received)} ${sender} ${rest}` };
  }
  // A timestamp, then the host; unless the next word is already the tag (`sshd[12]:`, `su:`).
  let host = sender;
  const word = /^(\S+)(?: |$)/.exec(after);
  if (word && !looksLikeTag(word[1]!)) {
    host = word[1]!;
    after = after.slice(word[0].length);
  }
  return {
    format: 'rfc3164',
    timestamp,
    host,
    tag: tagOf(after),
    msgid: null,
    structuredData: null,
    message: after,
    line: `${formatSyslogTime(timestamp)} ${host} ${after}`.trimEnd(),
  };
}

function looksLikeTag(word: string): boolean {
  return word.endsWith(':') || /^[^\s[\]]+\[[^\s\]]*\]:?$/.test(word);
}

function tagOf(content: string): string | null {
  const m = /^([^\s:[\]]+(?:\[[^\s\]]*\])?):(?: |$)/.exec(content);
  return m ? m[1]! : null;
}

/** `HOST APP PROCID MSGID SD [MSG]` after `<PRI>1 TIMESTAMP `; null when it is not well formed. */
function parse5424(afterVersion: string, sender: string, received: Date): Body | null {
  const head = /^(\S+) (\S+) (\S+) (\S+) (\S+) /.exec(afterVersion);
  if (!head) return null;
  const [, ts, hostField, app, procid, msgid] = head as unknown as [string, string, string, string, string, string];
  let timestamp = received;
  if (ts !== '-') {
    const parsed = parseIsoTime(ts);
    if (!parsed) return null;
    timestamp = parsed;
  }
  const sdAndMsg = afterVersion.slice(head[0].length);
  const sdEnd = structuredDataEnd(sdAndMsg);
  if (sdEnd === -1) return null;
  const structuredData = sdAndMsg.startsWith('-') ? null : sdAndMsg.slice(0, sdEnd);
  let message = sdAndMsg.slice(sdEnd).replace(/^ /, '');
  if (message.startsWith(BOM)) message = message.slice(1);
  const host = hostField === '-' ? sender : hostField;
  const tag = app === '-' ? null : procid === '-' ? app : `${app}[${procid}]`;
  const prefix = `${formatSyslogTime(timestamp)} ${host}`;
  return {
    format: 'rfc5424',
    timestamp,
    host,
    tag,
    msgid: msgid === '-' ? null : msgid,
    structuredData,
    message,
    line: (tag ? `${prefix} ${tag}: ${message}` : `${prefix} ${message}`).trimEnd(),
  };
}

/** Index just past the STRUCTURED-DATA field (`-` or `[...]...`), or -1 if it is malformed. */
function structuredDataEnd(s: string): number {
  if (s.startsWith('-')) return s.length === 1 || s[1] === ' ' ? 1 : -1;
  let i = 0;
  while (s[i] === '[') {
    let quoted = false;
    for (i += 1; i < s.length; i++) {
      const c = s[i];
      if (quoted && c === '\\') i++; // \" \\ \] inside a value
      else if (c === '"') quoted = !quoted;
      else if (c === ']' && !quoted) break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  if (i === 0) return -1;
  return i === s.length || s[i] === ' ' ? i : -1;
}

function parseIsoTime(s: string): Date | null {
  const m = ISO_TIME.exec(s);
  if (!m) return null;
  const millis = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const date = new Date(`${m[1]}T${m[2]}.${millis}${m[4]}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A BSD timestamp has no year: take the one that puts it nearest to the reception time. */
function withYear(month: number, day: number, hh: number, mm: number, ss: number, year: number | null, received: Date): Date {
  if (year !== null) return new Date(year, month, day, hh, mm, ss);
  const y = received.getFullYear();
  const candidates = [y - 1, y, y + 1].map((yy) => new Date(yy, month, day, hh, mm, ss));
  return candidates.reduce((best, d) => (Math.abs(d.getTime() - received.getTime()) < Math.abs(best.getTime() - received.getTime()) ? d : best));
}
