// A notifications world: a temp dir with a config over a small ruleset (with the fake
// active-response script, so alerts cause blocks), the real app, a real SMTP server
// (smtp-server) and real HTTP receivers on loopback.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { FAKE_COMMAND, FIXTURES as AR_FIXTURES, fakeBinding, line } from '../active-response/helpers.js';

export { waitFor } from '../server/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RULES = path.join(here, 'fixtures', 'rules.xml');

export interface World {
  dir: string;
  configPath: string;
  app: FastifyInstance;
  /** Feeds testd lines, one batch each. */
  feed(...messages: string[]): Promise<void>;
  restart(env?: NodeJS.ProcessEnv): Promise<void>;
  close(): Promise<void>;
}

export function makeDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-notify-'));
  mkdirSync(path.join(dir, 'active-response'));
  mkdirSync(path.join(dir, 'fake'));
  copyFileSync(path.join(AR_FIXTURES, 'fake-ar.sh'), path.join(dir, 'active-response', 'fake-ar.sh'));
  return dir;
}

/** `sections`: XML inside <ossec_config> (global, email_alerts, integration…); `portcullis`: inside <portcullis>. */
export function writeConfig(dir: string, sections: string, portcullis = ''): string {
  const configPath = path.join(dir, 'ossec.conf');
  writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_include>${AR_FIXTURES}/decoders.xml</decoder_include><rule_include>${RULES}</rule_include></ruleset>
  ${FAKE_COMMAND}${fakeBinding()}
${sections}
  <portcullis>
    <journald>no</journald><watch_ruleset>no</watch_ruleset><active_response_dir>${dir}/active-response</active_response_dir>
    <public_url>http://portcullis.test:8787</public_url>
    <notify_retry_seconds>0.05</notify_retry_seconds><notify_retry_max_seconds>0.2</notify_retry_max_seconds><notify_timeout_seconds>5</notify_timeout_seconds>
    ${portcullis}
  </portcullis>
</ossec_config>
`);
  return configPath;
}

/** `now`: the notifications' clock (default the wall clock); a test that depends on the hour passes its own. */
export async function startWorld(dir: string, env: NodeJS.ProcessEnv = {}, opts: { now?: () => number } = {}): Promise<World> {
  process.env.FAKE_DIR = path.join(dir, 'fake');
  const configPath = path.join(dir, 'ossec.conf');
  const boot = async () => {
    const cfg = resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, env);
    const app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web'), ...(opts.now ? { now: opts.now } : {}) });
    await app.ready();
    return app;
  };
  const w: World = {
    dir, configPath, app: await boot(),
    feed: async (...messages) => {
      for (const m of messages) await w.app.pipeline.ingest([{ line: line(m), location: '/var/log/test.log', receivedAt: Date.now() }]);
    },
    restart: async (e = env) => {
      await w.app.close();
      process.env.FAKE_DIR = path.join(dir, 'fake');
      const cfg = resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, e);
      w.app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web'), ...(opts.now ? { now: opts.now } : {}) });
      await w.app.ready();
    },
    close: async () => {
      await w.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return w;
}

export interface Mail {
  from: string;
  to: string[];
  /** The raw message (headers and body). */
  raw: string;
  subject: string;
  secure: boolean;
  user: string | null;
}

export interface Smtp {
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback that keeps every message. `refuseFirst`: the first n messages
 * are taken in full, then answered 451 (a relay that got the mail but whose answer says it did
 * not: the sender retries).
 */
export async function startSmtp(options: Partial<SMTPServerOptions> = {}, refuseFirst = 0): Promise<Smtp> {
  const mails: Mail[] = [];
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.secure || options.key ? [] : ['STARTTLS'],
    logger: false,
    ...options,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw, subject, secure: session.secure, user: (session.user as string | undefined) ?? null,
        });
        if (refused < refuseFirst) {
          refused++;
          return cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The text of a mail body (quoted-printable soft breaks joined). */
export function bodyOf(m: Mail): string {
  const body = m.raw.slice(m.raw.indexOf('\r\n\r\n') + 4);
  return /Content-Transfer-Encoding: quoted-printable/i.test(m.raw)
    ? body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    : body;
}

export interface Receiver {
  port: number;
  url: string;
  requests: Array<{ path: string; headers: IncomingHttpHeaders; body: unknown }>;
  /** Starts listening (on `port` when given: a receiver that was down comes up at its address). */
  listen(port?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback that answers 200 and keeps each JSON body. `dropFirst`: the first
 * n requests are read in full, then their connection is cut with no answer (a receiver that got
 * it, but the sender cannot know).
 */
export function receiver(dropFirst = 0): Receiver {
  let server: Server | null = null;
  let dropped = 0;
  const r: Receiver = {
    port: 0, url: '', requests: [],
    listen: async (port = 0) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          r.requests.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          if (dropped < dropFirst) {
            dropped++;
            req.socket.destroy();
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      r.port = (server.address() as AddressInfo).port;
      r.url = `http://127.0.0.1:${r.port}`;
    },
    close: () => new Promise((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = null;
    }),
  };
  return r;
}

/** A loopback port nothing listens on (taken, then freed). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** A self-signed certificate for 127.0.0.1 made with openssl. */
export function selfSigned(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'smtp.key');
  const cert = path.join(dir, 'smtp.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key, cert };
}
