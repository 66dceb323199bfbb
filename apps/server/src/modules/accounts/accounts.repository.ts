// SQL for users, sessions, API tokens and settings. Secrets are stored only as hashes.
import type { Role, TokenScope } from '@portcullis/shared';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  source_ip: string | null;
  created_at: number;
  last_seen: number;
  expires_at: number;
}

export interface TokenRow {
  id: number;
  name: string;
  token_hash: string;
  scope: TokenScope;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export class AccountsRepository {
  readonly #statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  /** Prepared once per SQL text: every request's session or token lookup comes through here. */
  #prepare(sql: string): Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) this.#statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  // users
  userCount(): number {
    return this.#prepare('SELECT COUNT(*) FROM users').pluck().get() as number;
  }
  activeAdminCount(): number {
    return this.#prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").pluck().get() as number;
  }
  userById(id: number): UserRow | undefined {
    return this.#prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }
  userByName(username: string): UserRow | undefined {
    return this.#prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }
  users(): UserRow[] {
    return this.#prepare('SELECT * FROM users ORDER BY id').all() as UserRow[];
  }
  insertUser(username: string, passwordHash: string, role: Role): number {
    const now = Date.now();
    return Number(this.#prepare('INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(username, passwordHash, role, now, now).lastInsertRowid);
  }
  updateUser(id: number, changes: { role?: Role; passwordHash?: string; disabled?: boolean }): void {
    const u = this.userById(id);
    if (!u) return;
    this.#prepare('UPDATE users SET role = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE id = ?').run(
      changes.role ?? u.role, changes.passwordHash ?? u.password_hash, changes.disabled === undefined ? u.disabled : Number(changes.disabled), Date.now(), id,
    );
  }
  deleteUser(id: number): void {
    this.#prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  // sessions
  insertSession(s: SessionRow): void {
    this.#prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, source_ip, created_at, last_seen, expires_at) VALUES (@id_hash, @user_id, @csrf_token, @source_ip, @created_at, @last_seen, @expires_at)').run(s);
  }
  session(idHash: string): (SessionRow & { username: string; role: Role; disabled: number }) | undefined {
    return this.#prepare('SELECT s.*, u.username, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?').get(idHash) as
      | (SessionRow & { username: string; role: Role; disabled: number })
      | undefined;
  }
  touchSession(idHash: string, now: number, expiresAt: number): void {
    this.#prepare('UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id_hash = ?').run(now, expiresAt, idHash);
  }
  deleteSession(idHash: string): void {
    this.#prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }
  deleteSessionsOf(userId: number): void {
    this.#prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }
  deleteExpiredSessions(now: number): number {
    return this.#prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  // API tokens
  insertToken(name: string, tokenHash: string, scope: TokenScope, createdBy: string | null): number {
    return Number(this.#prepare('INSERT INTO api_tokens (name, token_hash, scope, created_by, created_at) VALUES (?, ?, ?, ?, ?)').run(name, tokenHash, scope, createdBy, Date.now()).lastInsertRowid);
  }
  tokenByHash(hash: string): TokenRow | undefined {
    return this.#prepare('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(hash) as TokenRow | undefined;
  }
  tokenById(id: number): TokenRow | undefined {
    return this.#prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow | undefined;
  }
  tokens(): TokenRow[] {
    return this.#prepare('SELECT * FROM api_tokens ORDER BY id').all() as TokenRow[];
  }
  touchToken(id: number, now: number): void {
    this.#prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }
  revokeToken(id: number): void {
    this.#prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id);
  }

  // settings
  setting(key: string): string | undefined {
    return this.#prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
  }
  setSetting(key: string, value: string): void {
    this.#prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
  deleteSetting(key: string): void {
    this.#prepare('DELETE FROM settings WHERE key = ?').run(key);
  }
}
