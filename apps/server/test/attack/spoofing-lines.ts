// The shipped line forms whose earlier part a client (or a local user) writes, as attack lines:
// each embeds a fake ` from ADDR port N` (or `rhost=ADDR`, ` ; USER=root ; COMMAND=`) in the
// part the attacker controls, and says which fields the shipped decoders must extract.
// Shared by decoder-spoofing.test.ts (these exact lines) and decoder-spoofing.fuzz.test.ts.

/** The client's real address: the one to decode and block. */
export const REAL = '198.51.100.40';
/** The address the attacker writes into the line: never decoded, never blocked. */
export const FAKE = '203.0.113.50';
export const REAL6 = '2001:db8:40::40';
export const FAKE6 = '2001:db8:50::50';

export function syslog(program: string, message: string): string {
  return `Mar  4 10:15:20 web01 ${program}: ${message}`;
}

export const sshd = (message: string): string => syslog('sshd[2301]', message);

export interface AttackCase {
  name: string;
  line: string;
  /** Fields that must be decoded with exactly these values; `null`: the field must be unset. */
  fields: Record<string, string | null>;
}

/** The user name of the issue: `ssh 'x from 203.0.113.50 port 22'@host`. */
const U = `x from ${FAKE} port 22`;
/** The same shape for lines that write the user before "ADDR port N" without "from". */
const U2 = `x ${FAKE} port 22`;
/** A user name that carries a whole fake line tail (no ':': sshd cuts a user name there). */
const UTAIL = `x from ${FAKE} port 22 ssh2 [preauth]`;

export const ATTACKS: AttackCase[] = [
  // sshd: the password guess itself (rules 5716, 100100)
  { name: 'failed password, invalid user', line: sshd(`Failed password for invalid user ${U} from ${REAL} port 41001 ssh2`), fields: { method: 'password', srcuser: U, srcip: REAL, srcport: '41001' } },
  { name: 'failed password, invalid user with a fake tail', line: sshd(`Failed password for invalid user ${UTAIL} from ${REAL} port 41001 ssh2`), fields: { srcuser: UTAIL, srcip: REAL, srcport: '41001' } },
  { name: 'failed password, IPv6 source', line: sshd(`Failed password for invalid user ${U} from ${REAL6} port 41001 ssh2`), fields: { srcuser: U, srcip: REAL6, srcport: '41001' } },
  // An IPv6 source has ':' right after its first group: a name ending in " port" must not make
  // "port 2001" the port of the fake address
  { name: 'failed password, name ending in "port" before an IPv6 source', line: sshd(`Failed password for invalid user x from ${FAKE} port from ${REAL6} port 41001 ssh2`), fields: { srcuser: `x from ${FAKE} port`, srcip: REAL6, srcport: '41001' } },
  { name: 'disconnected, name ending in "ADDR port" before an IPv6 source', line: sshd(`Disconnected from authenticating user x ${FAKE} port ${REAL6} port 41001 [preauth]`), fields: { dstuser: `x ${FAKE} port`, srcip: REAL6, srcport: '41001' } },
  // OpenSSH cuts a user name at ':', so it cannot hold an IPv6 address; a server that did not would
  // still be read from the end of the line
  { name: 'failed password, IPv6 in the name (an sshd that keeps ":")', line: sshd(`Failed password for invalid user x from ${FAKE6} port 22 from ${REAL6} port 41001 ssh2`), fields: { srcuser: `x from ${FAKE6} port 22`, srcip: REAL6, srcport: '41001' } },
  { name: 'connection closed, IPv6 in the name (an sshd that keeps ":")', line: sshd(`Connection closed by authenticating user x ${FAKE6} port 22 ${REAL6} port 41001 [preauth]`), fields: { dstuser: `x ${FAKE6} port 22`, srcip: REAL6, srcport: '41001' } },
  { name: 'failed keyboard-interactive', line: sshd(`Failed keyboard-interactive/pam for invalid user ${U} from ${REAL} port 41001 ssh2`), fields: { method: 'keyboard-interactive/pam', srcuser: U, srcip: REAL } },
  { name: 'failed password, existing user form', line: sshd(`Failed password for ${U} from ${REAL} port 41001 ssh2`), fields: { dstuser: U, srcip: REAL, srcport: '41001' } },
  // The text after "ssh2: " is client-written too: a certificate's key ID, hostbased client names.
  { name: 'failed publickey, certificate key ID', line: sshd(`Failed publickey for invalid user ${U} from ${REAL} port 41001 ssh2: RSA-CERT SHA256:k3yFp ID k from ${FAKE} port 22 ssh2: x (serial 1) CA RSA SHA256:c4Fp`), fields: { method: 'publickey', srcuser: U, srcip: REAL, srcport: '41001' } },
  { name: 'failed hostbased, client host', line: sshd(`Failed hostbased for root from ${REAL} port 41001 ssh2: ED25519 SHA256:k3yFp, client user "u from ${FAKE} port 22 ssh2", client host "h"`), fields: { method: 'hostbased', dstuser: 'root', srcip: REAL } },
  { name: 'accepted publickey', line: sshd(`Accepted publickey for ${U} from ${REAL} port 41001 ssh2: RSA SHA256:polCIBHMq9lNsP3Tfu0FJo87amAkNKgWV/Ql6tnRt7U`), fields: { method: 'publickey', dstuser: U, srcip: REAL, srcport: '41001' } },
  // sshd: the name is refused (5710)
  { name: 'invalid user', line: sshd(`Invalid user ${U} from ${REAL} port 41001`), fields: { srcuser: U, srcip: REAL, srcport: '41001' } },
  { name: 'invalid user, no port (old sshd)', line: sshd(`Invalid user ${U} from ${REAL}`), fields: { srcuser: U, srcip: REAL, srcport: null } },
  { name: 'illegal user (old sshd)', line: sshd(`Illegal user x from ${FAKE} from ${REAL}`), fields: { srcuser: `x from ${FAKE}`, srcip: REAL } },
  // sshd: ends of a connection, "[preamble ]ADDR port N" (100104, 5722, 5761, 5711)
  { name: 'connection closed, invalid user', line: sshd(`Connection closed by invalid user ${U2} ${REAL} port 41001 [preauth]`), fields: { srcuser: U2, srcip: REAL, srcport: '41001' } },
  { name: 'connection closed, fake [preauth] in the name', line: sshd(`Connection closed by invalid user ${U2} [preauth] ${REAL} port 41001 [preauth]`), fields: { srcuser: `${U2} [preauth]`, srcip: REAL, srcport: '41001' } },
  { name: 'disconnected, invalid user', line: sshd(`Disconnected from invalid user ${U2} ${REAL} port 41001 [preauth]`), fields: { srcuser: U2, srcip: REAL, srcport: '41001' } },
  { name: 'connection closed, authenticating user', line: sshd(`Connection closed by authenticating user ${U2} ${REAL} port 41001 [preauth]`), fields: { dstuser: U2, srcip: REAL, srcport: '41001' } },
  { name: 'disconnected, authenticating user', line: sshd(`Disconnected from authenticating user ${U2} ${REAL} port 41001 [preauth]`), fields: { dstuser: U2, srcip: REAL, srcport: '41001' } },
  { name: 'connection reset, authenticating user', line: sshd(`Connection reset by authenticating user ${U2} ${REAL} port 41001 [preauth]`), fields: { dstuser: U2, srcip: REAL, srcport: '41001' } },
  { name: 'disconnected, user (after login)', line: sshd(`Disconnected from user ${U2} ${REAL} port 41001`), fields: { dstuser: U2, srcip: REAL, srcport: '41001' } },
  { name: 'disconnecting, too many failures', line: sshd(`Disconnecting authenticating user ${U2} ${REAL} port 41001: Too many authentication failures [preauth]`), fields: { dstuser: U2, srcip: REAL, srcport: '41001' } },
  // ... where sshd's reason quotes a second client-written name, after the address
  { name: 'disconnecting, change of user name', line: sshd(`Disconnecting invalid user ${U2} ${REAL} port 41001: Change of username or service not allowed: (${U2},ssh-connection) -> (y ${FAKE} port 22,ssh-connection) [preauth]`), fields: { srcuser: U2, srcip: REAL, srcport: '41001' } },
  // sshd: "Received disconnect": the reason text after ":11: " is the client's
  { name: 'received disconnect, client reason', line: sshd(`Received disconnect from ${REAL} port 41001:11: ${FAKE} port 22:11: x [preauth]`), fields: { srcip: REAL, srcport: '41001' } },
  { name: 'received disconnect, reason that looks like an old line', line: sshd(`Received disconnect from ${REAL} port 41001:11: 5: bye [preauth]`), fields: { srcip: REAL, srcport: '41001' } },
  { name: 'received disconnect, reason "[preauth]"', line: sshd(`Received disconnect from ${REAL} port 41001:11: [preauth] [preauth]`), fields: { srcip: REAL, srcport: '41001' } },
  { name: 'unable to negotiate, client offer', line: sshd(`Unable to negotiate with ${REAL} port 41001: no matching key exchange method found. Their offer: x from ${FAKE} port 22 [preauth]`), fields: { srcip: REAL, srcport: '41001' } },
  // sshd: the rest
  { name: 'maximum attempts, invalid user', line: sshd(`error: maximum authentication attempts exceeded for invalid user ${U} from ${REAL} port 41001 ssh2 [preauth]`), fields: { srcuser: U, srcip: REAL, srcport: '41001' } },
  { name: 'maximum attempts, user', line: sshd(`error: maximum authentication attempts exceeded for ${U} from ${REAL} port 41001 ssh2 [preauth]`), fields: { dstuser: U, srcip: REAL, srcport: '41001' } },
  { name: 'bad protocol version, client banner', line: sshd(`Bad protocol version identification 'x' from ${FAKE} port 22' from ${REAL} port 41001`), fields: { srcip: REAL, srcport: '41001' } },
  { name: 'reverse mapping, host name', line: sshd(`reverse mapping checking getaddrinfo for h [${FAKE}] failed x [${REAL}] failed - POSSIBLE BREAK-IN ATTEMPT!`), fields: { rdns: `h [${FAKE}] failed x`, srcip: REAL } },
  { name: 'PAM error, illegal user', line: sshd(`error: PAM: Authentication failure for illegal user ${U} from ${REAL}`), fields: { srcuser: U, srcip: REAL } },
  { name: 'PAM summary, user', line: sshd(`PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL}  user=x rhost=${FAKE}`), fields: { srcip: REAL, dstuser: `x rhost=${FAKE}` } },
  { name: 'userauth request, name with [preauth]', line: sshd('input_userauth_request: invalid user x [preauth] y [preauth]'), fields: { srcuser: 'x [preauth] y' } },
  { name: 'too many failures (old sshd), name with spaces', line: sshd('Disconnecting: Too many authentication failures for x y [preauth]'), fields: { dstuser: 'x y' } },
  // PAM (any program): ruser= and user= can be written by the other side; rhost= is the source
  { name: 'pam auth failure, user', line: sshd(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL}  user=x rhost=${FAKE}`), fields: { srcip: REAL, dstuser: `x rhost=${FAKE}` } },
  { name: 'pam auth failure, user with a whole fake tail', line: sshd(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL}  user=x ruser= rhost=${FAKE}  user=root`), fields: { srcip: REAL, dstuser: `x ruser= rhost=${FAKE}  user=root` } },
  // ruser and user both written by the other side cannot be told apart: no address, never the fake one
  { name: 'pam auth failure, ruser', line: syslog('in.rshd[77]', `pam_unix(rsh:auth): authentication failure; logname= uid=0 euid=0 tty= ruser=x rhost=${FAKE}  user=y rhost=${REAL}  user=root`), fields: { srcip: null, srcuser: null } },
  { name: 'pam auth failure, su with a fake rhost in the target', line: syslog('su[2201]', `pam_unix(su:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=x rhost=${FAKE}`), fields: { srcip: null } },
  // su: the target account is typed by the local user; the caller and tty are su's
  { name: 'su failed, target with a fake caller', line: syslog('su[2201]', 'FAILED SU (to root) mallory on pts/9 x) bob on pts/1'), fields: { run_as: 'root) mallory on pts/9 x', dstuser: 'bob', tty: 'pts/1' } },
  { name: 'su ok, target with a fake caller', line: syslog('su[2202]', '(to x) mallory on pts/9) alice on pts/0'), fields: { run_as: 'x) mallory on pts/9', dstuser: 'alice', tty: 'pts/0' } },
  { name: 'su bad (BSD), target with a fake tty', line: syslog('su[2201]', 'BAD SU bob to x on /dev/pts/9 on /dev/pts/1'), fields: { dstuser: 'bob', run_as: 'x on /dev/pts/9', tty: '/dev/pts/1' } },
  { name: 'su short form, target with spaces', line: syslog('su[2201]', '- pts/1 bob:root x'), fields: { status: '-', tty: 'pts/1', dstuser: 'bob', run_as: 'root x' } },
  // sudo: COMMAND (and PWD, a directory the user made) are the user's
  { name: 'sudo, command with a fake TTY and COMMAND', line: syslog('sudo', '   alice : PWD=/home/alice ; USER=postgres ; COMMAND=/bin/echo TTY=pts/9 ; COMMAND=/bin/sh'), fields: { dstuser: 'alice', tty: null, pwd: '/home/alice', run_as: 'postgres', command: '/bin/echo TTY=pts/9 ; COMMAND=/bin/sh' } },
  { name: 'sudo, directory with a fake COMMAND', line: syslog('sudo', '   alice : TTY=pts/0 ; PWD=/tmp/a ; COMMAND=/bin/sh ; USER=postgres ; COMMAND=/usr/bin/psql'), fields: { dstuser: 'alice', tty: 'pts/0', pwd: '/tmp/a ; COMMAND=/bin/sh', run_as: 'postgres', command: '/usr/bin/psql' } },
  // PWD and COMMAND are both the user's: a second " ; USER=" may sit in either, so no run_as,
  // pwd or command is decoded, never the fake one
  { name: 'sudo, command with a fake USER', line: syslog('sudo', '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=postgres ; COMMAND=/bin/echo ; USER=root ; COMMAND=/bin/sh'), fields: { dstuser: 'alice', tty: 'pts/0', run_as: null, pwd: null, command: null } },
  { name: 'sudo, directory with a fake USER', line: syslog('sudo', '   alice : TTY=pts/0 ; PWD=/tmp/a ; USER=root ; COMMAND=/x ; USER=postgres ; COMMAND=/usr/bin/psql'), fields: { dstuser: 'alice', tty: 'pts/0', run_as: null, pwd: null, command: null } },
  // portcullis's own lines: the address follows a fixed prefix; by= (a dashboard user) comes last
  { name: 'portcullis release, by= with fake keys', line: syslog('portcullis[300]', `block release ${REAL} reason=manual by=x rule=1 timeout=9 exit=2`), fields: { action: 'release', srcip: REAL, reason: 'manual', by: 'x rule=1 timeout=9 exit=2', id: null, timeout: null, exit: null } },
];
