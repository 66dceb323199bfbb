// What the many-hosts ingest tests share: certificates from Portcullis's own CA (`ca init`,
// `host cert`: the server's for 127.0.0.1, client certificates whose CN is a host name; another
// CA's made with the openssl CLI), and Debian's
// real rsyslogd run as a process of its own, following a log file with imfile and forwarding it
// over TLS with omfwd.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initCa, issueHostCert } from '../../src/modules/hosts/ca.js';

export const RSYSLOGD = '/usr/sbin/rsyslogd';
export const JOURNAL_UPLOAD = '/usr/lib/systemd/systemd-journal-upload';
export const JOURNAL_REMOTE = '/usr/lib/systemd/systemd-journal-remote';

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /**
   * A client certificate with CN=name: from our CA (`portcullis ca`'s own code, as `host cert`
   * makes them), or from another CA made with the openssl CLI. Made once: { cert, key }.
   */
  client(name: string, ca?: 'ours' | 'other'): Promise<{ cert: string; key: string }>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Portcullis's own CA with a server certificate for localhost and 127.0.0.1, in `dir`. */
export async function makePki(dir: string): Promise<Pki> {
  const { files } = await initCa(dir, ['localhost', '127.0.0.1']);
  let other = false;
  const made = new Map<string, { cert: string; key: string }>();
  return {
    dir,
    ca: files.caCert,
    serverCert: files.serverCert,
    serverKey: files.serverKey,
    async client(name, ca = 'ours') {
      const id = `${name}@${ca}`;
      const done = made.get(id);
      if (done) return done;
      let out: { cert: string; key: string };
      if (ca === 'ours') {
        out = await issueHostCert(dir, name, path.join(dir, 'hosts'));
      } else {
        const o = path.join(dir, 'other');
        mkdirSync(o, { recursive: true });
        if (!other) {
          openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Another CA'], o);
          writeFileSync(path.join(o, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
          other = true;
        }
        openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], o);
        openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', 'client.ext'], o);
        out = { cert: path.join(o, `${name}.pem`), key: path.join(o, `${name}.key`) };
      }
      made.set(id, out);
      return out;
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
