// Sessions, users, API tokens and the first-admin setup.
import { Type, type Static } from '@sinclair/typebox';
import { Role, TokenScope } from './common.js';

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
/** New passwords: at least 10 characters. */
const NewPassword = Type.String({ minLength: 10, maxLength: 1024 });

export const LoginBody = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Password });
export type LoginBody = Static<typeof LoginBody>;

export const SessionInfo = Type.Object({
  user: Type.Union([Type.Object({ id: Type.Integer(), username: Type.String(), role: Role }), Type.Null()]),
  /** Send back as `X-CSRF-Token` on every state-changing request made with the session cookie. */
  csrf_token: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.Union([Type.String(), Type.Null()]),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  created_at: Type.String(),
});
export type User = Static<typeof User>;

export const UserCreate = Type.Object({ username: Username, password: NewPassword, role: Role });
export type UserCreate = Static<typeof UserCreate>;

export const UserUpdate = Type.Object({
  role: Type.Optional(Role),
  password: Type.Optional(NewPassword),
  disabled: Type.Optional(Type.Boolean()),
});
export type UserUpdate = Static<typeof UserUpdate>;

export const SetupBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), username: Username, password: NewPassword });
export type SetupBody = Static<typeof SetupBody>;

export const ApiToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  scope: TokenScope,
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  revoked: Type.Boolean(),
});
export type ApiToken = Static<typeof ApiToken>;

export const ApiTokenCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), scope: TokenScope });
export type ApiTokenCreate = Static<typeof ApiTokenCreate>;

/** The secret is shown once, at creation. */
export const ApiTokenCreated = Type.Composite([ApiToken, Type.Object({ token: Type.String() })]);
export type ApiTokenCreated = Static<typeof ApiTokenCreated>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  time: Type.String(),
  actor: Type.Union([Type.String(), Type.Null()]),
  source_ip: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  actor: Type.Optional(Type.String({ maxLength: 100 })),
});
export type AuditQuery = Static<typeof AuditQuery>;
