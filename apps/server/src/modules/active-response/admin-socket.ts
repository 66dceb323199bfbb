// The local admin socket (`<data dir>/admin.sock`, mode 0600): break-glass block and release for
// `portcullis block|release` when the web UI cannot be reached. Only the user the server runs as
// (root, for a firewall) can connect. One JSON request line per connection, one JSON answer line.
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { DomainError } from '../../errors.js';
import type { ArLogger } from './ar-deps.js';
import { toBlock } from './blocks.mapper.js';
import type { ManualBlocks, ManualTarget } from './manual-blocks.js';

export type AdminRequest =
  | { op: 'ping' }
  | { op: 'block'; ip: string; timeout?: number; reason: string; command?: string; target?: ManualTarget; hosts?: string[]; actor: string }
  | { op: 'release'; ip: string; reason: string; grace?: number; actor: string };

export type AdminAnswer = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const MAX_REQUEST = 16 * 1024;

function str(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function num(v: unknown): v is number | undefined {
  return v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 365 * 86_400);
}

/** Checks a request's shape; unknown fields are dropped. */
export function parseAdminRequest(text: string): AdminRequest | null {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (m === null || typeof m !== 'object') return null;
  if (m.op === 'ping') return { op: 'ping' };
  if (!str(m.ip, 100) || !str(m.reason, 500) || !str(m.actor, 100)) return null;
  const target = m.target === undefined || m.target === 'server' || m.target === 'all' || m.target === 'hosts';
  const hosts = m.hosts === undefined || (Array.isArray(m.hosts) && m.hosts.length <= 1000 && m.hosts.every((h) => str(h, 63)));
  if (m.op === 'block' && num(m.timeout) && (m.command === undefined || str(m.command, 200)) && target && hosts) {
    return {
      op: 'block', ip: m.ip, reason: m.reason, actor: m.actor, ...(m.timeout !== undefined ? { timeout: m.timeout } : {}), ...(m.command !== undefined ? { command: m.command as string } : {}),
      ...(m.target !== undefined ? { target: m.target as ManualTarget } : {}), ...(m.hosts !== undefined ? { hosts: m.hosts as string[] } : {}),
    };
  }
  if (m.op === 'release' && num(m.grace)) return { op: 'release', ip: m.ip, reason: m.reason, actor: m.actor, ...(m.grace !== undefined ? { grace: m.grace } : {}) };
  return null;
}

export class AdminSocket {
  readonly path: string;
  readonly #manual: ManualBlocks;
  readonly #log: ArLogger;
  #server: Server | null = null;

  constructor(path: string, manual: ManualBlocks, log: ArLogger) {
    this.path = path;
    this.#manual = manual;
    this.#log = log;
  }

  async listen(): Promise<void> {
    if (existsSync(this.path)) {
      if (await isAlive(this.path)) throw new Error(`another Portcullis server answers on ${this.path}`);
      unlinkSync(this.path); // left behind by a server that was killed
    }
    const server = createServer((socket) => this.#serve(socket));
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => resolve());
      });
    } finally {
      process.umask(old);
    }
    chmodSync(this.path, 0o600);
    this.#server = server;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #serve(socket: Socket): void {
    let buf = '';
    socket.setEncoding('utf8');
    socket.setTimeout(120_000, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST) return void socket.end(`${JSON.stringify({ ok: false, error: { code: 'TOO_LARGE', message: 'request too large' } })}\n`);
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      socket.removeAllListeners('data');
      void this.#answer(buf.slice(0, nl)).then((a) => socket.end(`${JSON.stringify(a)}\n`));
    });
  }

  async #answer(text: string): Promise<AdminAnswer> {
    const req = parseAdminRequest(text);
    if (!req) return { ok: false, error: { code: 'BAD_REQUEST', message: 'not a valid admin request' } };
    const actor = { name: `cli:${req.op === 'ping' ? '' : req.actor}`, ip: 'local' };
    try {
      if (req.op === 'ping') return { ok: true, result: 'pong' };
      this.#log.info({ op: req.op, ip: req.ip, actor: actor.name }, `admin socket: ${req.op} ${req.ip}`);
      if (req.op === 'block') {
        const r = await this.#manual.block({ ip: req.ip, duration: req.timeout, reason: req.reason, command: req.command, target: req.target, hosts: req.hosts }, actor);
        return { ok: true, result: { created: r.created, block: toBlock(r.block) } };
      }
      const rows = await this.#manual.releaseIp(req.ip, { reason: req.reason, graceSeconds: req.grace }, actor);
      return { ok: true, result: { blocks: rows.map(toBlock) } };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: { code: err.code, message: err.message } };
      this.#log.error({ err }, 'admin socket request failed');
      return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
    }
  }
}

/** Whether a server answers on the socket (a connect that succeeds within a second). */
export function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    const done = (v: boolean): void => {
      clearTimeout(t);
      c.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(false), 1000);
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

/** Sends one request; rejects when no server listens (ENOENT, ECONNREFUSED) or it does not answer in time. */
export function adminRequest(path: string, req: AdminRequest, timeoutMs = 120_000): Promise<AdminAnswer> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let buf = '';
    const t = setTimeout(() => {
      c.destroy();
      reject(Object.assign(new Error(`no answer on ${path} within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    c.setEncoding('utf8');
    c.once('connect', () => c.write(`${JSON.stringify(req)}\n`));
    c.on('data', (chunk: string) => (buf += chunk));
    c.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
    c.once('end', () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf.trim()) as AdminAnswer);
      } catch {
        reject(new Error(`unreadable answer on ${path}`));
      }
    });
  });
}
