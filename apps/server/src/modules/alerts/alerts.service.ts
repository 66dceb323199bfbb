// Alert queries as the API asks them: ISO bounds and cursors turned into keys, stats over a range.
// Reads that can scan many rows run in the database read pool (workers/readers.plugin.ts), never
// on the event loop; only the lists an index answers at once are read here.
import type { Alert, AlertPage, AlertQuery, Stats, StatsQuery } from '@portcullis/shared';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { ListAnswer, ReadJob, StatsAnswer } from '../../workers/reader-jobs.js';
import type { WorkerPool } from '../../workers/worker-pool.js';
import { decodeCursor, iso, type AlertListQuery, type AlertsRepository, type StatsRange, type StatsRows } from './alerts.repository.js';
import { SharedResults } from './shared-results.js';

const NICE_BUCKETS = [10, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];
/** A finished stats answer is handed out this long to the same question (dashboards refresh together). */
export const STATS_REUSE_MS = 2000;
/** `counts.stored` (a scan of an index) is counted again after this long. */
const STORED_REUSE_MS = 5000;
/** More buckets than this in one answer is a request for megabytes of JSON. */
export const MAX_BUCKETS = 5000;
/** Filters an index on (filter, id) answers at once, newest first, when alone. */
const INDEXED = new Set(['rule_id', 'srcip', 'hostname', 'location']);

function time(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadRequestError(`${what} is not an ISO 8601 time`);
  return ms;
}

/**
 * Whether SQLite answers this list by walking an index newest first and stopping at the page:
 * no filter, or one equality an (x, id) index covers. Anything else (text, groups, level, a time
 * range, two filters) may visit every row before it finds a page.
 */
export function isIndexedList(q: AlertListQuery): boolean {
  const used = (['level_min', 'rule_id', 'group', 'srcip', 'hostname', 'location', 'q', 'from', 'to'] as const).filter((k) => q[k] !== undefined);
  return used.length === 0 || (used.length === 1 && INDEXED.has(used[0]!));
}

export class AlertsService {
  readonly #stats = new SharedResults<Stats>(STATS_REUSE_MS);
  #stored: { value: number; at: number } | null = null;

  /**
   * `describeRule`: a rule's description as the running ruleset has it. The top rules show it
   * rather than one alert's: "sshd: failed password for $(dstuser)" counts every user, where the
   * description of one of its alerts ("… for root") would stand for all of them.
   */
  constructor(
    private readonly repo: AlertsRepository,
    private readonly readers: WorkerPool,
    private readonly dbFile: string,
    private readonly describeRule: (ruleId: number) => string | undefined = () => undefined,
  ) {}

  /** How many stats computations ran, joined one running, or reused a finished one. */
  statsSharing(): ReturnType<SharedResults<Stats>['stats']> {
    return this.#stats.stats();
  }

  async list(q: AlertQuery, signal?: AbortSignal): Promise<AlertPage> {
    const { cursor, from, to, limit, ...filters } = q;
    let before: number | undefined;
    if (cursor !== undefined) {
      const id = decodeCursor(cursor);
      if (id === null) throw new BadRequestError('cursor is not one this server gave', 'BAD_CURSOR');
      before = id;
    }
    const f = time(from, 'from');
    const t = time(to, 'to');
    const query: AlertListQuery = {
      ...filters,
      limit: limit ?? 100,
      ...(before !== undefined ? { before } : {}),
      ...(f !== undefined ? { from: f } : {}),
      ...(t !== undefined ? { to: t } : {}),
    };
    if (isIndexedList(query)) return this.repo.list(query);
    const job: ReadJob = { kind: 'alert-list', db: this.dbFile, query };
    return this.readers.run<ListAnswer>(job, signal, { code: 'ALERTS', label: 'alert search' });
  }

  get(id: number): Alert {
    const alert = this.repo.get(id);
    if (!alert) throw new NotFoundError(`no alert ${id}`);
    return alert;
  }

  /**
   * Stats over a range, computed in a reader thread; identical questions share one computation.
   * Without `to` the range ends now, rounded up to STATS_REUSE_MS, and the question is "the last N
   * hours": it shares any answer to the same question computed within the reuse time, whatever
   * "now" was then (keyed on the range's length, not its ends), so dashboards and API clients
   * asking every few seconds do not keep the reader busy without a pause (which also starved
   * SQLite's checkpoints and grew the WAL without end).
   */
  async stats(q: StatsQuery, signal?: AbortSignal, now = Date.now()): Promise<Stats> {
    const to = time(q.to, 'to') ?? Math.ceil(now / STATS_REUSE_MS) * STATS_REUSE_MS;
    const from = time(q.from, 'from') ?? to - 86_400_000;
    if (from >= to) throw new BadRequestError('from must be before to');
    const bucket = q.bucket ?? NICE_BUCKETS.find((b) => (to - from) / 1000 / b <= 60) ?? 7 * 86_400;
    if (q.bucket !== undefined && (to - from) / 1000 / bucket > MAX_BUCKETS) {
      throw new BadRequestError(`from ${iso(from)} to ${iso(to)} in ${bucket}-second buckets makes more than ${MAX_BUCKETS} buckets: choose a larger bucket or a shorter range`, 'TOO_MANY_BUCKETS');
    }
    const range: StatsRange = { from, to, bucketMs: bucket * 1000, top: q.top ?? 10 };
    const key = q.to === undefined ? `now-${range.to - range.from}/${range.bucketMs}/${range.top}` : `${range.from}/${range.to}/${range.bucketMs}/${range.top}`;
    return this.#stats.get(key, signal, async (sig) => {
      const stored = this.#stored !== null && Date.now() - this.#stored.at < STORED_REUSE_MS ? this.#stored.value : null;
      const job: ReadJob = { kind: 'alert-stats', db: this.dbFile, range, count: stored === null };
      const answer = await this.readers.run<StatsAnswer>(job, sig, { code: 'STATS', label: 'stats request' });
      if (answer.stored !== null) this.#stored = { value: answer.stored, at: Date.now() };
      const rows: StatsRows = { ...answer.rows, topRules: answer.rows.topRules.map((r) => ({ ...r, description: this.describeRule(r.rule_id) ?? r.description })) };
      return shapeStats(range, bucket, rows, answer.stored ?? stored ?? 0);
    });
  }
}

function shapeStats(range: StatsRange, bucket: number, rows: StatsRows, stored: number): Stats {
  const byLevel = new Map<number, number>();
  for (const b of rows.buckets) byLevel.set(b.level, (byLevel.get(b.level) ?? 0) + b.count);
  const levels = [...byLevel].sort((a, b) => a[0] - b[0]).map(([level, count]) => ({ level, count }));
  const alerts = levels.reduce((n, l) => n + l.count, 0);
  return {
    from: iso(range.from),
    to: iso(range.to),
    bucket_seconds: bucket,
    buckets: rows.buckets.map((b) => ({ time: iso(b.t), level: b.level, count: b.count })),
    top_sources: rows.topSources,
    top_rules: rows.topRules,
    counts: {
      alerts,
      high: levels.filter((l) => l.level >= 10).reduce((n, l) => n + l.count, 0),
      // Counted up to STORED_REUSE_MS ago, the range's count now: never fewer stored than in the range.
      stored: Math.max(stored, alerts),
      by_level: levels,
    },
  };
}
