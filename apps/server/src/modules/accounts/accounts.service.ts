// Decisions about accounts: signing in and out, who a session or token is, users and tokens
// with their rules (the last admin stays), the first-admin setup. Every change is audited in the
// transaction that makes it.
import type { ApiToken, ApiTokenCreated, Role, SessionInfo, TokenScope, User, UserCreate, UserUpdate } from '@portcullis/shared';
import type { Db } from '../../db/database.js';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UnauthenticatedError } from '../../errors.js';
import { iso } from '../alerts/alerts.repository.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { AccountsRepository, type TokenRow, type UserRow } from './accounts.repository.js';
import { LoginLimiter, type Admission } from './login-limiter.js';
import { dummyHash, hashPassword, newSecret, sameSecret, sha256, verifyPassword } from './secrets.js';

/** Who is making a request. */
export interface Principal {
  kind: 'session' | 'token';
  name: string;
  role: TokenScope;
  userId: number | null;
  sessionHash?: string;
  csrfToken?: string;
  tokenId?: number;
  /** A registered host (its ingest token or client certificate): its lines carry this host. */
  host?: string;
}

/** Who made a change and from where, for the audit trail. */
export interface Actor {
  name: string | null;
  ip: string | null;
}

export const SESSION_TTL_MS = 12 * 3600_000;
const SETUP_KEY = 'setup_token_hash';

export function userOut(u: UserRow): User {
  return { id: u.id, username: u.username, role: u.role, disabled: u.disabled !== 0, created_at: iso(u.created_at) };
}

function tokenOut(t: TokenRow): ApiToken {
  return {
    id: t.id, name: t.name, scope: t.scope, created_by: t.created_by, created_at: iso(t.created_at),
    last_used_at: t.last_used_at === null ? null : iso(t.last_used_at), revoked: t.revoked_at !== null,
  };
}

export class AccountsService {
  readonly repo: AccountsRepository;
  /** Passwords and the setup token share one budget per address. */
  readonly limiter = new LoginLimiter();
  /** Bad API tokens have their own, so a misconfigured agent does not hold back sign-ins. */
  readonly tokenLimiter = new LoginLimiter();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepository,
  ) {
    this.repo = new AccountsRepository(db);
  }

  async login(username: string, password: string, ip: string): Promise<{ sessionId: string; info: SessionInfo }> {
    // The slot is taken before the first await, so parallel guesses count against each other.
    const slot = this.#admit(ip, username, 'session.login_limited', username);
    let succeeded = false;
    let user: UserRow | undefined;
    try {
      user = this.repo.userByName(username);
      const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
      succeeded = ok && !!user && !user.disabled;
    } finally {
      slot.finish(succeeded);
    }
    if (!succeeded || !user) {
      this.audit.record({ actor: username, sourceIp: ip, action: 'session.login_failed', target: username });
      throw new UnauthenticatedError('wrong user name or password');
    }
    const sessionId = newSecret();
    const now = Date.now();
    const csrf = newSecret();
    this.db.transaction(() => {
      this.repo.insertSession({ id_hash: sha256(sessionId), user_id: user.id, csrf_token: csrf, source_ip: ip, created_at: now, last_seen: now, expires_at: now + SESSION_TTL_MS });
      this.audit.record({ actor: user.username, sourceIp: ip, action: 'session.login', target: user.username });
    })();
    return { sessionId, info: { user: { id: user.id, username: user.username, role: user.role }, csrf_token: csrf, expires_at: iso(now + SESSION_TTL_MS) } };
  }

  logout(p: Principal, ip: string | null): void {
    if (!p.sessionHash) return;
    this.db.transaction(() => {
      this.repo.deleteSession(p.sessionHash!);
      this.audit.record({ actor: p.name, sourceIp: ip, action: 'session.logout', target: p.name });
    })();
  }

  /** The signed-in user of a session cookie, sliding its expiry; null when unknown or expired. */
  fromSession(sessionId: string, now = Date.now()): Principal | null {
    const hash = sha256(sessionId);
    const s = this.repo.session(hash);
    if (!s || s.expires_at <= now || s.disabled) return null;
    if (now - s.last_seen > 60_000) this.repo.touchSession(hash, now, now + SESSION_TTL_MS);
    return { kind: 'session', name: s.username, role: s.role, userId: s.user_id, sessionHash: hash, csrfToken: s.csrf_token };
  }

  sessionInfo(p: Principal | null): SessionInfo {
    if (!p || p.kind !== 'session' || p.userId === null) return { user: null, csrf_token: null, expires_at: null };
    const s = this.repo.session(p.sessionHash!);
    return { user: { id: p.userId, username: p.name, role: p.role as Role }, csrf_token: p.csrfToken ?? null, expires_at: s ? iso(s.expires_at) : null };
  }

  fromToken(secret: string, now = Date.now()): Principal | null {
    const t = this.repo.tokenByHash(sha256(secret));
    if (!t) return null;
    if (t.last_used_at === null || now - t.last_used_at > 60_000) this.repo.touchToken(t.id, now);
    return { kind: 'token', name: `token:${t.name}`, role: t.scope, userId: null, tokenId: t.id };
  }

  /** A bearer token sent from `ip`, under the per-address guessing limit (429 past it). */
  tokenFrom(secret: string, ip: string): Principal | null {
    const slot = this.#admit(ip, null, 'token.limited', null, this.tokenLimiter);
    const p = this.fromToken(secret);
    slot.finish(p !== null);
    return p;
  }

  /** Takes a guessing slot, or audits the first refusal and throws 429. */
  #admit(ip: string, account: string | null, action: string, target: string | null, limiter = this.limiter): Extract<Admission, { ok: true }> {
    const a = limiter.admit(ip, account);
    if (a.ok) return a;
    if (a.first) this.audit.record({ actor: account, sourceIp: ip, action, target, after: { limited_by: a.by, retry_after_s: a.retryAfter } });
    throw new RateLimitedError(a.retryAfter);
  }

  // users

  listUsers(): User[] {
    return this.repo.users().map(userOut);
  }

  async createUser(actor: Actor, input: UserCreate): Promise<User> {
    if (this.repo.userByName(input.username)) throw new ConflictError(`user "${input.username}" exists`, 'USER_EXISTS');
    const passwordHash = await hashPassword(input.password);
    return this.db.transaction(() => {
      if (this.repo.userByName(input.username)) throw new ConflictError(`user "${input.username}" exists`, 'USER_EXISTS');
      const id = this.repo.insertUser(input.username, passwordHash, input.role);
      const user = userOut(this.repo.userById(id)!);
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'user.create', target: input.username, after: { username: user.username, role: user.role } });
      return user;
    })();
  }

  async updateUser(actor: Actor, id: number, changes: UserUpdate): Promise<User> {
    const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : undefined;
    return this.db.transaction(() => {
      const before = this.repo.userById(id);
      if (!before) throw new NotFoundError(`no user ${id}`);
      const losesAdmin = before.role === 'admin' && !before.disabled && ((changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true);
      if (losesAdmin && this.repo.activeAdminCount() <= 1) throw new ConflictError('the last admin cannot be demoted or disabled', 'LAST_ADMIN');
      this.repo.updateUser(id, { ...(changes.role ? { role: changes.role } : {}), ...(passwordHash ? { passwordHash } : {}), ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}) });
      if (changes.disabled === true || passwordHash !== undefined) this.repo.deleteSessionsOf(id);
      const after = userOut(this.repo.userById(id)!);
      const { created_at: _a, ...b } = userOut(before);
      const { created_at: _b, ...a } = after;
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'user.update', target: before.username, before: b, after: { ...a, ...(passwordHash ? { password: 'changed' } : {}) } });
      return after;
    })();
  }

  deleteUser(actor: Actor, id: number): void {
    this.db.transaction(() => {
      const before = this.repo.userById(id);
      if (!before) throw new NotFoundError(`no user ${id}`);
      if (before.role === 'admin' && !before.disabled && this.repo.activeAdminCount() <= 1) throw new ConflictError('the last admin cannot be deleted', 'LAST_ADMIN');
      this.repo.deleteUser(id);
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'user.delete', target: before.username, before: { username: before.username, role: before.role } });
    })();
  }

  // API tokens

  listTokens(): ApiToken[] {
    return this.repo.tokens().map(tokenOut);
  }

  createToken(actor: Actor, name: string, scope: TokenScope): ApiTokenCreated {
    const secret = newSecret('pct_');
    return this.db.transaction(() => {
      const id = this.repo.insertToken(name, sha256(secret), scope, actor.name);
      const t = tokenOut(this.repo.tokenById(id)!);
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'token.create', target: `${id}:${name}`, after: { name, scope } });
      return { ...t, token: secret };
    })();
  }

  revokeToken(actor: Actor, id: number): void {
    this.db.transaction(() => {
      const t = this.repo.tokenById(id);
      if (!t) throw new NotFoundError(`no token ${id}`);
      this.repo.revokeToken(id);
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'token.revoke', target: `${id}:${t.name}`, before: { revoked: t.revoked_at !== null }, after: { revoked: true } });
    })();
  }

  // first admin

  setupRequired(): boolean {
    return this.repo.userCount() === 0;
  }

  /** With no user yet, makes a fresh one-time setup token (only its hash is kept) and returns it. */
  issueSetupToken(): string | null {
    if (!this.setupRequired()) {
      this.repo.deleteSetting(SETUP_KEY);
      return null;
    }
    const token = newSecret('setup_');
    this.repo.setSetting(SETUP_KEY, sha256(token));
    return token;
  }

  async setup(token: string, username: string, password: string, ip: string): Promise<User> {
    const slot = this.#admit(ip, null, 'setup.limited', null);
    const stored = this.repo.setting(SETUP_KEY);
    const done = !this.setupRequired();
    const right = !done && !!stored && sameSecret(stored, sha256(token));
    slot.finish(done || right);
    if (done) throw new ConflictError('setup is done: an account exists', 'SETUP_DONE');
    if (!right) {
      this.audit.record({ actor: username, sourceIp: ip, action: 'setup.failed', target: username });
      throw new ForbiddenError('wrong setup token', 'BAD_SETUP_TOKEN');
    }
    const passwordHash = await hashPassword(password);
    return this.db.transaction(() => {
      if (!this.setupRequired()) throw new ConflictError('setup is done: an account exists', 'SETUP_DONE');
      const id = this.repo.insertUser(username, passwordHash, 'admin');
      this.repo.deleteSetting(SETUP_KEY);
      this.audit.record({ actor: username, sourceIp: ip, action: 'setup.first_admin', target: username, after: { username, role: 'admin' } });
      return userOut(this.repo.userById(id)!);
    })();
  }
}
