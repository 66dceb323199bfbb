// `portcullis block|release` without the web UI: through the running server's admin socket when
// it answers, else straight on the database and the scripts (the same service, no server needed).
import { join } from 'node:path';
import type { ServerConfig } from '../../config/server-config.js';
import { openDatabase } from '../../db/database.js';
import { migrate } from '../../db/migrate.js';
import { migrationsDir } from '../../paths.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { ActiveResponse } from './active-response.js';
import { signedInAdminAddresses } from './admin-addresses.js';
import { adminRequest, type AdminAnswer, type AdminRequest } from './admin-socket.js';
import { toBlock } from './blocks.mapper.js';
import { DomainError } from '../../errors.js';
import { buildPolicy } from './policy.js';

export interface BreakGlassResult {
  answer: AdminAnswer;
  /** How it was done: through the server, or directly (no server answered). */
  via: 'server' | 'direct';
  /** Why the server was not used, when it was not. */
  note: string | null;
}

const NO_SERVER = new Set(['ENOENT', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTSOCK']);

export async function breakGlass(cfg: ServerConfig, req: Exclude<AdminRequest, { op: 'ping' }>, env: NodeJS.ProcessEnv): Promise<BreakGlassResult> {
  const sock = join(cfg.dataDir, 'admin.sock');
  try {
    return { answer: await adminRequest(sock, req, 90_000), via: 'server', note: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!NO_SERVER.has(code)) throw err;
    const note = code === 'ETIMEDOUT' ? 'the server did not answer on its admin socket; acting on the database directly' : 'no server is running; acting on the database directly';
    return { answer: await direct(cfg, req, env), via: 'direct', note };
  }
}

async function direct(cfg: ServerConfig, req: Exclude<AdminRequest, { op: 'ping' }>, env: NodeJS.ProcessEnv): Promise<AdminAnswer> {
  const db = openDatabase(cfg.dbPath);
  try {
    migrate(db, migrationsDir);
    const audit = new AuditRepository(db);
    // The dashboard's white list counts here too (read from the table; no service needed).
    const dashboardList = db.prepare('SELECT value FROM whitelist_entries').pluck().all() as string[];
    const policy = buildPolicy(cfg.cfg, cfg.dialect ?? 'wazuh', [], dashboardList);
    const ar = new ActiveResponse({
      db, arDir: cfg.activeResponseDir, dataDir: cfg.dataDir, policy: () => policy, adminProtection: cfg.adminProtection,
      adminAddresses: signedInAdminAddresses(db), env, audit: (e) => audit.record(e), reconcileMs: 0,
    });
    const actor = { name: `cli:${req.actor}`, ip: 'local' };
    try {
      if (req.op === 'block') {
        const r = await ar.manual.block({ ip: req.ip, duration: req.timeout, reason: req.reason, command: req.command, target: req.target, hosts: req.hosts }, actor);
        return { ok: true, result: { created: r.created, block: toBlock(r.block) } };
      }
      const rows = await ar.manual.releaseIp(req.ip, { reason: req.reason, graceSeconds: req.grace }, actor);
      return { ok: true, result: { blocks: rows.map(toBlock) } };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: { code: err.code, message: err.message } };
      throw err;
    } finally {
      await ar.stop();
    }
  } finally {
    db.close();
  }
}
