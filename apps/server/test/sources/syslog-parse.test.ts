import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyslogFramer, parseSyslog } from '../../src/sources/index.js';

// A zone away from UTC with DST, so a missed conversion to local time shows.
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Paris';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const received = Date.UTC(2024, 2, 4, 9, 0, 0); // Mar  4 10:00:00 in Paris
const line = (input: string | Buffer, sender = '192.0.2.5'): string | undefined => parseSyslog(input, sender, received)?.line;

describe('parseSyslog, RFC 3164', () => {
  it('strips the PRI and keeps the classic line', () => {
    const p = parseSyslog("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", '192.0.2.5', received);
    expect(p).toMatchObject({ format: 'rfc3164', facility: 4, severity: 2, host: 'mymachine', tag: 'su' });
    expect(p?.line).toBe("Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
  });

  it('normalises a zero-padded day and accepts a year or fraction in the stamp', () => {
    expect(line('<13>Mar 04 10:15:01 web1 sshd[123]: Failed password')).toBe('Mar  4 10:15:01 web1 sshd[123]: Failed password');
    expect(line('<13>Mar  4 2024 10:15:01 fw1 kernel: x')).toBe('Mar  4 10:15:01 fw1 kernel: x');
    expect(line('<13>Mar 14 10:15:01.250 fw1 kernel: x')).toBe('Mar 14 10:15:01 fw1 kernel: x');
  });

  it('gives a message without timestamp the reception time and the sender', () => {
    expect(line('<13>sshd[12]: Failed password for root from 203.0.113.9 port 22 ssh2', '::ffff:198.51.100.4')).toBe(
      'Mar  4 10:00:00 198.51.100.4 sshd[12]: Failed password for root from 203.0.113.9 port 22 ssh2',
    );
    expect(line('just some text')).toBe('Mar  4 10:00:00 192.0.2.5 just some text');
  });

  it('puts the sender in when a timestamp is followed directly by the tag', () => {
    expect(line('<38>Mar  4 10:15:01 sshd[99]: Accepted publickey')).toBe('Mar  4 10:15:01 192.0.2.5 sshd[99]: Accepted publickey');
    expect(line('<38>Mar  4 10:15:01 su: pam_unix')).toBe('Mar  4 10:15:01 192.0.2.5 su: pam_unix');
  });

  it('converts an RFC 3339 stamp in the 3164 layout to local time', () => {
    expect(line('<13>2024-03-04T10:15:01.123456+00:00 web1 nginx: GET /')).toBe('Mar  4 11:15:01 web1 nginx: GET /');
  });

  it('keeps a message on one line and drops frame terminators', () => {
    expect(line('<13>Mar  4 10:15:01 h p: a\nb\r\n\0')).toBe('Mar  4 10:15:01 h p: a b');
  });
});

describe('parseSyslog, RFC 5424', () => {
  it('converts the RFC example to the classic line in local time, dropping the BOM', () => {
    const p = parseSyslog("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8", '192.0.2.5', received);
    expect(p).toMatchObject({ format: 'rfc5424', facility: 4, severity: 2, host: 'mymachine.example.com', tag: 'su', msgid: 'ID47', structuredData: null });
    expect(p?.line).toBe("Oct 12 00:14:15 mymachine.example.com su: 'su root' failed for lonvick on /dev/pts/8");
  });

  it('takes the BOM as bytes too', () => {
    const bytes = Buffer.concat([Buffer.from('<13>1 2024-03-04T10:15:01Z h app 42 - - '), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('caf\u00e9')]);
    expect(line(bytes)).toBe('Mar  4 11:15:01 h app[42]: caf\u00e9');
  });

  it('parses structured data with escapes and keeps it out of the line', () => {
    const msg = '<165>1 2024-03-04T10:15:01.123456-05:00 web1 evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"li\\]cation"][examplePriority@32473 class="high"] An application event';
    const p = parseSyslog(msg, '10.0.0.1', received);
    expect(p?.structuredData).toBe('[exampleSDID@32473 iut="3" eventSource="App\\"li\\]cation"][examplePriority@32473 class="high"]');
    expect(p?.line).toBe('Mar  4 16:15:01 web1 evntslog[1234]: An application event');
  });

  it('fills nil values: time, host from the sender, app without pid', () => {
    expect(line('<13>1 - - sshd - - - Failed password', '10.1.2.3')).toBe('Mar  4 10:00:00 10.1.2.3 sshd: Failed password');
    expect(line('<13>1 2024-03-04T10:15:01Z h - - - - bare message')).toBe('Mar  4 11:15:01 h bare message');
    expect(line('<13>1 2024-03-04T10:15:01Z h app 7 - -')).toBe('Mar  4 11:15:01 h app[7]:');
  });

  it('treats a malformed 5424 header as plain text', () => {
    expect(line('<13>1 not-a-time h app - - - x')).toBe('Mar  4 10:00:00 192.0.2.5 1 not-a-time h app - - - x');
    expect(line('<13>1 2024-03-04T10:15:01Z h app - - [unclosed x')).toBe('Mar  4 10:00:00 192.0.2.5 1 2024-03-04T10:15:01Z h app - - [unclosed x');
  });
});

describe('parseSyslog on garbage', () => {
  it('never throws and returns null only for empty input', () => {
    expect(parseSyslog('', 'x', received)).toBeNull();
    expect(parseSyslog('\n\0', 'x', received)).toBeNull();
    expect(line('<999>Mar  4 10:15:01 h p: x')).toBe('Mar  4 10:00:00 192.0.2.5 <999>Mar  4 10:15:01 h p: x');
    let seed = 42;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['<', '>', '1', ' ', '[', ']', '"', '\\', '-', 'T', ':', 'Z', '\uFEFF', 'a', '\n', '2024-03-04T10:15:01Z', 'Mar  4 ', '\u00ff'];
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      expect(() => parseSyslog(s, '10.0.0.1', received)).not.toThrow();
      expect(() => parseSyslog(bytes, '10.0.0.1', received)).not.toThrow();
    }
  });
});

describe('SyslogFramer', () => {
  const frames = (f: SyslogFramer, ...chunks: string[]): string[] => chunks.flatMap((c) => f.push(Buffer.from(c))).map((b) => b.toString());

  it('splits LF- and NUL-terminated messages across chunk boundaries', () => {
    const f = new SyslogFramer(1024);
    expect(frames(f, '<13>one\n<13>tw', 'o\0<13>thr', 'ee\r\n\n')).toEqual(['<13>one', '<13>two', '<13>three\r']);
  });

  it('reads octet-counted frames, including split counts and embedded newlines', () => {
    const f = new SyslogFramer(1024);
    expect(frames(f, '9 <13>a\nb c1', '5 <13>hello w', 'orld8 <13>last')).toEqual(['<13>a\nb c', '<13>hello world', '<13>last']);
  });

  it('mixes framings per frame, as rsyslog does', () => {
    const f = new SyslogFramer(1024);
    expect(frames(f, '5 <13>a<13>plain\n6 <13>bc')).toEqual(['<13>a', '<13>plain', '<13>bc']);
  });

  it('cuts oversize frames, drops their rest and counts them', () => {
    const f = new SyslogFramer(10);
    expect(frames(f, `25 <13>${'x'.repeat(21)}`, '<13>ok\n')).toEqual(['<13>xxxxxx', '<13>ok']);
    expect(frames(f, `<13>${'y'.repeat(30)}`, 'zzz FORGED\n<13>next\n')).toEqual(['<13>yyyyyy', '<13>next']);
    expect(f.truncated).toBe(2);
  });

  it('hands on an unterminated last message at the end of the connection', () => {
    const f = new SyslogFramer(1024);
    expect(frames(f, '<13>done\n<13>tail')).toEqual(['<13>done']);
    expect(f.end().map(String)).toEqual(['<13>tail']);
  });
});
