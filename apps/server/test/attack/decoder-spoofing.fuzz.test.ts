// Issue 9, item 1, generated: every shipped line form, with random attacker text (spaces, `from`,
// `port`, `rhost=`, ` ; USER=`, quotes, brackets, fake IPv4 and IPv6 addresses, whole fake line
// tails) in every position the client or a local user writes, decoded by the shipped ruleset. The
// address decoded must always be the real one; the user must be the real one or unset where the
// line cannot be split (documented in the decoder files). A seeded PRNG: the same lines every run.
import { describe, expect, it } from 'vitest';
import { loadContext, newEngine } from '../../src/cli/context.js';
import { FAKE, FAKE6, REAL, REAL6, syslog, sshd } from './spoofing-lines.js';

const ctx = loadContext({});
const NOW = 1_709_547_320;
const PER_FORM = 150;

/** mulberry32: a small seeded PRNG, so a failure names a line that comes back on the next run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T,>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function fakeIp(r: Rng): string {
  return pick(r, [FAKE, FAKE6, '10.0.0.1', '127.0.0.1', '::1', '192.168.1.1', `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`, REAL]);
}

/** Pieces an attacker writes: words, and fragments of every shipped line form's fixed text. */
function piece(r: Rng): string {
  const ip = fakeIp(r);
  const port = String(int(r, 1, 65535));
  return pick(r, [
    'x', 'root', 'admin', 'from', 'port', port, 'ssh2', '[preauth]', 'invalid user', 'authenticating user', 'user',
    `from ${ip}`, `from ${ip} port ${port}`, `from ${ip} port ${port} ssh2`, `${ip} port ${port}`, `${ip} port ${port} [preauth]`,
    `${ip} port ${port}:11:`, `${ip}: 11:`, `port ${port}: Too many authentication failures`, ip, `[${ip}]`, `[${ip}] failed`,
    `rhost=${ip}`, `ruser= rhost=${ip}`, `rhost=${ip}  user=root`, 'user=root', 'ruser=x', 'logname=', 'uid=0', 'tty=ssh',
    ';', ' ; ', 'USER=root', '; USER=root ;', ' ; USER=root ; COMMAND=/bin/sh', 'COMMAND=/bin/sh', 'TTY=pts/9 ;', 'PWD=/tmp ;',
    '(to root)', ')', '(', 'mallory on pts/9', 'on /dev/pts/9', 'on', 'to', 'by', 'x(uid=0)',
    "'", '"', '\\', '`', '$(id)', '::', ':', '-', 'POSSIBLE BREAK-IN ATTEMPT!', 'failed', 'ID', '(serial 1)', 'CA', 'SHA256:abc',
    'rule=1', 'timeout=9', 'reason=x', 'exit=2', 'by=x', '',
  ]);
}

/** Attacker text: 1–10 pieces joined by one or two spaces or nothing. */
function text(r: Rng): string {
  const n = int(r, 1, 10);
  let s = piece(r);
  for (let i = 1; i < n; i++) s += pick(r, [' ', ' ', '  ', '']) + piece(r);
  return s;
}

/** A user name as OpenSSH logs it: cut at the first ':' (the BSD auth style) and at 100 bytes. */
function sshUser(r: Rng): string {
  return text(r).split(':')[0]!.slice(0, 100);
}

/** The name of an existing account (sshd writes "invalid user " before any other). */
function accountName(r: Rng): string {
  return sshUser(r).replace(/^(invalid|illegal) user /, '');
}

interface Generated {
  line: string;
  /** Fields that must be decoded with these values. */
  exact: Record<string, string>;
  /** Fields that must be one of these values, or unset. */
  orUnset?: Record<string, string>;
}

const method = (r: Rng): string => pick(r, ['password', 'publickey', 'keyboard-interactive/pam', 'hostbased', 'none', 'gssapi-with-mic']);
const realIp = (r: Rng): string => pick(r, [REAL, REAL6]);
const realPort = (r: Rng): string => String(int(r, 1024, 65535));

/** What sshd writes after "ssh2": key type and fingerprint, a certificate's key ID, hostbased names. */
function extra(r: Rng): string {
  switch (int(r, 0, 4)) {
    case 0: return '';
    case 1: return ': ED25519 SHA256:polCIBHMq9lNsP3Tfu0FJo87amAkNKgWV/Ql6tnRt7U';
    case 2: return `: RSA-CERT SHA256:k3yFp ID ${text(r)} (serial ${int(r, 0, 99)}) CA RSA SHA256:c4Fp`;
    case 3: return `: ED25519 SHA256:k3yFp, client user "${text(r).slice(0, 100)}", client host "${text(r).slice(0, 100)}"`;
    default: return ': ECDSA SHA256:k3yFp, signature count = 3';
  }
}

const FORMS: Record<string, (r: Rng) => Generated> = {
  'sshd Failed … for invalid user': (r): Generated => {
    const [u, ip, port] = [sshUser(r), realIp(r), realPort(r)];
    return { line: sshd(`Failed ${method(r)} for invalid user ${u} from ${ip} port ${port} ssh2${extra(r)}`), exact: { srcuser: u, srcip: ip, srcport: port } };
  },
  'sshd Failed … for an existing user': (r): Generated => {
    const [u, ip, port] = [accountName(r), realIp(r), realPort(r)];
    return { line: sshd(`Failed ${method(r)} for ${u} from ${ip} port ${port} ssh2${extra(r)}`), exact: { dstuser: u, srcip: ip, srcport: port } };
  },
  'sshd Accepted': (r): Generated => {
    const [u, ip, port] = [accountName(r), realIp(r), realPort(r)];
    return { line: sshd(`Accepted ${method(r)} for ${u} from ${ip} port ${port} ssh2${extra(r)}`), exact: { dstuser: u, srcip: ip, srcport: port } };
  },
  'sshd message repeated [ Failed password ]': (r): Generated => {
    const [u, ip, port] = [sshUser(r), realIp(r), realPort(r)];
    return { line: sshd(`message repeated ${int(r, 2, 9)} times: [ Failed password for invalid user ${u} from ${ip} port ${port} ssh2]`), exact: { srcuser: u, srcip: ip, srcport: port } };
  },
  'sshd Invalid user': (r): Generated => {
    const [u, ip, port] = [sshUser(r), realIp(r), realPort(r)];
    return r() < 0.8
      ? { line: sshd(`Invalid user ${u} from ${ip} port ${port}`), exact: { srcuser: u, srcip: ip, srcport: port } }
      : { line: sshd(`Illegal user ${u} from ${ip}`), exact: { srcuser: u, srcip: ip } };
  },
  'sshd connection ends with a user': (r): Generated => {
    const [u, ip, port] = [sshUser(r), realIp(r), realPort(r)];
    const [head, field] = pick(r, [
      ['Connection closed by invalid user', 'srcuser'], ['Disconnected from invalid user', 'srcuser'],
      ['Connection closed by authenticating user', 'dstuser'], ['Disconnected from authenticating user', 'dstuser'],
      ['Connection reset by authenticating user', 'dstuser'], ['Disconnected from user', 'dstuser'],
    ] as const);
    const tail = field === 'dstuser' && head === 'Disconnected from user' ? '' : ' [preauth]';
    return { line: sshd(`${head} ${u} ${ip} port ${port}${tail}`), exact: { [field]: u, srcip: ip, srcport: port } };
  },
  'sshd Disconnecting … user: reason': (r): Generated => {
    const [u, ip, port] = [sshUser(r), realIp(r), realPort(r)];
    const invalid = r() < 0.5;
    const reason = r() < 0.5 ? 'Too many authentication failures' : `Change of username or service not allowed: (${u},ssh-connection) -> (${sshUser(r)},${text(r)})`;
    return { line: sshd(`Disconnecting ${invalid ? 'invalid' : 'authenticating'} user ${u} ${ip} port ${port}: ${reason.slice(0, 100)} [preauth]`), exact: { [invalid ? 'srcuser' : 'dstuser']: u, srcip: ip, srcport: port } };
  },
  'sshd maximum authentication attempts': (r): Generated => {
    const invalid = r() < 0.5;
    const [u, ip, port] = [invalid ? sshUser(r) : accountName(r), realIp(r), realPort(r)];
    return { line: sshd(`error: maximum authentication attempts exceeded for ${invalid ? 'invalid user ' : ''}${u} from ${ip} port ${port} ssh2 [preauth]`), exact: { [invalid ? 'srcuser' : 'dstuser']: u, srcip: ip, srcport: port } };
  },
  'sshd Received disconnect (client reason)': (r): Generated => {
    const [ip, port] = [realIp(r), realPort(r)];
    const msg = text(r).slice(0, 400);
    return r() < 0.8
      ? { line: sshd(`Received disconnect from ${ip} port ${port}:${int(r, 1, 15)}: ${msg}${r() < 0.5 ? ' [preauth]' : ''}`), exact: { srcip: ip, srcport: port } }
      : { line: sshd(`Received disconnect from ${ip}: ${int(r, 1, 15)}: ${msg} [preauth]`), exact: { srcip: ip } };
  },
  'sshd Unable to negotiate (client offer)': (r): Generated => {
    const [ip, port] = [realIp(r), realPort(r)];
    return { line: sshd(`Unable to negotiate with ${ip} port ${port}: no matching key exchange method found. Their offer: ${text(r)} [preauth]`), exact: { srcip: ip, srcport: port } };
  },
  'sshd Bad protocol version (client banner)': (r): Generated => {
    const [ip, port] = [realIp(r), realPort(r)];
    return r() < 0.7
      ? { line: sshd(`Bad protocol version identification '${text(r).slice(0, 100)}' from ${ip} port ${port}`), exact: { srcip: ip, srcport: port } }
      : { line: sshd(`Bad protocol version identification '${text(r).slice(0, 100)}' from ${ip}`), exact: { srcip: ip } };
  },
  'sshd reverse mapping (client DNS name)': (r): Generated => {
    const ip = realIp(r);
    return { line: sshd(`reverse mapping checking getaddrinfo for ${text(r)} [${ip}] failed${r() < 0.5 ? ' - POSSIBLE BREAK-IN ATTEMPT!' : '.'}`), exact: { srcip: ip } };
  },
  'sshd error: PAM: … for illegal user': (r): Generated => {
    const [u, ip] = [sshUser(r), realIp(r)];
    return { line: sshd(`error: PAM: Authentication failure for illegal user ${u} from ${ip}`), exact: { srcuser: u, srcip: ip } };
  },
  'sshd PAM N more authentication failures': (r): Generated => {
    const [u, ip] = [text(r), realIp(r)];
    return { line: sshd(`PAM ${int(r, 2, 5)} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`), exact: { srcip: ip, dstuser: u } };
  },
  'pam authentication failure (sshd: user is the client’s)': (r): Generated => {
    const [u, ip] = [text(r), realIp(r)];
    const user = r() < 0.8 ? `${pick(r, [' ', '  '])}user=${u}` : ' ';
    return { line: sshd(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${user}`), exact: user.trim() === '' ? { srcip: ip } : { srcip: ip, dstuser: u } };
  },
  'pam authentication failure (ruser and user both the other side’s)': (r): Generated => {
    const [ru, u, ip] = [text(r).trim() || 'x', text(r), realIp(r)];
    const line = syslog('in.rshd[77]', `pam_unix(rsh:auth): authentication failure; logname= uid=0 euid=0 tty= ruser=${ru} rhost=${ip}  user=${u}`);
    // Either side may hold a fake " rhost=": then no address, never a wrong one.
    return { line, exact: {}, orUnset: { srcip: ip, srcuser: ru, dstuser: u } };
  },
  'su (target typed by the caller)': (r): Generated => {
    const [t, caller, tty] = [text(r) || 'root', pick(r, ['bob', 'alice', 'first.last']), pick(r, ['pts/1', 'tty2', '/dev/pts/0'])];
    const line = pick(r, [`FAILED SU (to ${t}) ${caller} on ${tty}`, `(to ${t}) ${caller} on ${tty}`, `BAD SU ${caller} to ${t} on ${tty}`]);
    return { line: syslog('su[2201]', line), exact: { dstuser: caller, tty, run_as: t } };
  },
  'sudo (PWD and COMMAND are the user’s)': (r): Generated => {
    const [caller, tty, runAs] = [pick(r, ['alice', 'bob', 'deploy']), pick(r, ['pts/0', 'unknown']), pick(r, ['root', 'postgres'])];
    const [pwd, cmd] = [`/tmp/${text(r)}`, `/bin/${text(r)}`];
    const complaint = pick(r, ['', '3 incorrect password attempts ; ', 'user NOT in sudoers ; ', 'command not allowed ; ']);
    const line = syslog('sudo', `${' '.repeat(int(r, 1, 6))}${caller} : ${complaint}TTY=${tty} ; PWD=${pwd} ; USER=${runAs} ; COMMAND=${cmd}`);
    const clear = !pwd.includes(' ; USER=') && !cmd.includes(' ; USER=');
    return clear
      ? { line, exact: { dstuser: caller, tty, pwd, run_as: runAs, command: cmd } }
      : { line, exact: { dstuser: caller, tty }, orUnset: { pwd, run_as: runAs, command: cmd } };
  },
  'portcullis block release (by= is a dashboard user)': (r): Generated => {
    const by = text(r).trim() || 'x';
    return { line: syslog('portcullis[300]', `block release ${REAL} reason=manual by=${by}`), exact: { action: 'release', srcip: REAL, reason: 'manual', by } };
  },
};

describe('generated attack lines: the shipped decoders read the real fields', () => {
  let seed = 9001;
  for (const [name, make] of Object.entries(FORMS)) {
    const r = prng(seed++);
    it(`${name} (${PER_FORM} lines)`, () => {
      const engine = newEngine(ctx);
      const wrong: string[] = [];
      for (let i = 0; i < PER_FORM; i++) {
        const g = make(r);
        const results = engine.process(g.line, '/var/log/auth.log', NOW + i);
        expect(results.length).toBeGreaterThan(0);
        for (const res of results) {
          const got = res.event.fieldsObject();
          const bad = [
            ...Object.entries(g.exact).filter(([k, v]) => got[k] !== v),
            ...Object.entries(g.orUnset ?? {}).filter(([k, v]) => got[k] !== undefined && got[k] !== v),
          ];
          if (bad.length > 0) wrong.push(`${g.line}\n    want ${JSON.stringify({ ...g.orUnset, ...g.exact })}\n    got  ${JSON.stringify(got)}`);
        }
      }
      expect(wrong.slice(0, 5), `${wrong.length} of ${PER_FORM} lines decoded wrong`).toEqual([]);
    });
  }
});
