// What the many-hosts ingest tests share: certificates made with the openssl CLI (a CA, the
// server's certificate for 127.0.0.1, client certificates whose CN is a host name), and Debian's
// real rsyslogd run as a process of its own, following a log file with imfile and forwarding it
// over TLS with omfwd.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const RSYSLOGD = '/usr/sbin/rsyslogd';
export const JOURNAL_UPLOAD = '/usr/lib/systemd/systemd-journal-upload';
export const JOURNAL_REMOTE = '/usr/lib/systemd/systemd-journal-remote';

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** `client(name)` makes (once) a client certificate with CN=name signed by the CA: [cert, key]. */
  client(name: string, ca?: 'ours' | 'other'): { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA with a server certificate for 127.0.0.1/localhost, in `dir`. */
export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const mkCa = (name: string): void => openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`], dir);
  mkCa('ca');
  mkCa('other-ca');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const sign = (name: string, ca: string, ext: string): void => {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name.replace(/@.*/, '')}`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', ext], dir);
  };
  sign('server', 'ca', 'server.ext');
  const made = new Set<string>();
  return {
    dir,
    ca: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    client(name, ca = 'ours') {
      const file = ca === 'ours' ? name : `${name}@other`;
      if (!made.has(file)) {
        sign(file, ca === 'ours' ? 'ca' : 'other-ca', 'client.ext');
        made.add(file);
      }
      return { cert: path.join(dir, `${file}.pem`), key: path.join(dir, `${file}.key`) };
    },
  };
}

export interface Rsyslog {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Runs `rsyslogd -n` with a private work directory: imfile follows `logFile`, omfwd sends each
 * line as it is (`<PRI>` + the line) to 127.0.0.1:`port` over TLS (GnuTLS, x509/name, octet
 * counting) with the client certificate `client`.
 */
export function startRsyslog(dir: string, opts: { logFile: string; port: number; pki: Pki; client: { cert: string; key: string } }): Rsyslog {
  const work = path.join(dir, 'work');
  mkdirSync(work, { recursive: true });
  const conf = path.join(dir, 'rsyslog.conf');
  writeFileSync(conf, `global(workDirectory="${work}"
  DefaultNetstreamDriverCAFile="${opts.pki.ca}"
  DefaultNetstreamDriverCertFile="${opts.client.cert}"
  DefaultNetstreamDriverKeyFile="${opts.client.key}")
module(load="imfile" PollingInterval="1")
template(name="asWritten" type="string" string="<%PRI%>%rawmsg%")
input(type="imfile" File="${opts.logFile}" Tag="auth" Facility="auth" Severity="info" ruleset="toPortcullis")
ruleset(name="toPortcullis") {
  action(type="omfwd" target="127.0.0.1" port="${opts.port}" protocol="tcp"
    StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"
    TCP_Framing="octet-counted" template="asWritten"
    action.resumeRetryCount="-1" action.resumeInterval="1")
}
`);
  const child = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function bsdLine(host: string, message: string, program = 'sshd[4242]', date = new Date()): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${months[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${host} ${program}: ${message}`;
}
