// Where signed-in admins are: the source addresses of their live sessions (read only from the
// accounts module's tables), cached briefly because every blocking decision asks.
import type { Db } from '../../db/database.js';

const CACHE_MS = 2000;

export function signedInAdminAddresses(db: Db, now: () => number = Date.now): () => string[] {
  const stmt = db
    .prepare(`SELECT DISTINCT s.source_ip FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE u.role = 'admin' AND u.disabled = 0 AND s.expires_at > ? AND s.source_ip IS NOT NULL`)
    .pluck();
  let cached: string[] = [];
  let readAt = -Infinity;
  return () => {
    const t = now();
    if (t - readAt > CACHE_MS) {
      cached = stmt.all(t) as string[];
      readAt = t;
    }
    return cached;
  };
}
