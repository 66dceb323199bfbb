// Alert queries as the API asks them: ISO bounds and cursors turned into keys, stats over a range.
import type { Alert, AlertPage, AlertQuery, Stats, StatsQuery } from '@portcullis/shared';
import type { Db } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { decodeCursor, iso, type AlertsRepository } from './alerts.repository.js';

const NICE_BUCKETS = [10, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];

function time(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadRequestError(`${what} is not an ISO 8601 time`);
  return ms;
}

export class AlertsService {
  constructor(
    private readonly repo: AlertsRepository,
    private readonly db: Db,
  ) {}

  list(q: AlertQuery): AlertPage {
    const { cursor, from, to, limit, ...filters } = q;
    let before: number | undefined;
    if (cursor !== undefined) {
      const id = decodeCursor(cursor);
      if (id === null) throw new BadRequestError('cursor is not one this server gave', 'BAD_CURSOR');
      before = id;
    }
    const f = time(from, 'from');
    const t = time(to, 'to');
    return this.repo.list({
      ...filters,
      limit: limit ?? 100,
      ...(before !== undefined ? { before } : {}),
      ...(f !== undefined ? { from: f } : {}),
      ...(t !== undefined ? { to: t } : {}),
    });
  }

  get(id: number): Alert {
    const alert = this.repo.get(id);
    if (!alert) throw new NotFoundError(`no alert ${id}`);
    return alert;
  }

  stats(q: StatsQuery, now = Date.now()): Stats {
    const to = time(q.to, 'to') ?? now;
    const from = time(q.from, 'from') ?? to - 86_400_000;
    if (from >= to) throw new BadRequestError('from must be before to');
    const bucket = q.bucket ?? NICE_BUCKETS.find((b) => (to - from) / 1000 / b <= 60) ?? 7 * 86_400;
    const top = q.top ?? 10;
    const range = { from, to, b: bucket * 1000, top };
    const buckets = this.db
      .prepare('SELECT time - time % @b AS t, level, COUNT(*) AS count FROM alerts WHERE time >= @from AND time < @to GROUP BY t, level ORDER BY t, level')
      .all(range) as Array<{ t: number; level: number; count: number }>;
    const topSources = this.db
      .prepare('SELECT srcip, COUNT(*) AS count FROM alerts WHERE time >= @from AND time < @to AND srcip IS NOT NULL GROUP BY srcip ORDER BY count DESC, srcip LIMIT @top')
      .all(range) as Array<{ srcip: string; count: number }>;
    const topRules = this.db
      .prepare(`SELECT rule_id, MAX(description) AS description, MAX(level) AS level, COUNT(*) AS count FROM alerts
        WHERE time >= @from AND time < @to GROUP BY rule_id ORDER BY count DESC, rule_id LIMIT @top`)
      .all(range) as Array<{ rule_id: number; description: string; level: number; count: number }>;
    const byLevel = new Map<number, number>();
    for (const b of buckets) byLevel.set(b.level, (byLevel.get(b.level) ?? 0) + b.count);
    const levels = [...byLevel].sort((a, b) => a[0] - b[0]).map(([level, count]) => ({ level, count }));
    return {
      from: iso(from),
      to: iso(to),
      bucket_seconds: bucket,
      buckets: buckets.map((b) => ({ time: iso(b.t), level: b.level, count: b.count })),
      top_sources: topSources,
      top_rules: topRules,
      counts: {
        alerts: levels.reduce((n, l) => n + l.count, 0),
        high: levels.filter((l) => l.level >= 10).reduce((n, l) => n + l.count, 0),
        stored: this.repo.count(),
        by_level: levels,
      },
    };
  }
}
