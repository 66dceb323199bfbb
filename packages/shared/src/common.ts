// Shapes every route shares: roles, the error body, pages of a list.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const ROLES = ['viewer', 'responder', 'admin'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = Static<typeof Role>;

/** What an API token may do: a role, or `ingest` (only `POST /api/ingest`). */
export const TOKEN_SCOPES = ['ingest', ...ROLES] as const;
export const TokenScope = Type.Union(TOKEN_SCOPES.map((r) => Type.Literal(r)));
export type TokenScope = Static<typeof TokenScope>;

/** The one error format: `{ "error": { "code", "message", "details"? } }`. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** A list answer: the items and the cursor of the next page (null at the end). */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });
}

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type PageQuery = Static<typeof PageQuery>;

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export type IdParams = Static<typeof IdParams>;

export const Ok = Type.Object({ ok: Type.Boolean() });

/** Error responses most routes can give, for `response` schemas. */
export const ErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
} as const;

/** A list answered whole (small lists: users, tokens, sources): `next` is always null. */
export function List<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next: Type.Null() });
}
