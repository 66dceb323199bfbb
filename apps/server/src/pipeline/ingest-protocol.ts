// The messages between the event loop and the ingest thread (workers/ingest.worker.ts). The thread
// owns the write side of detection: the engine, the alert inserts, the file and journald sources
// (their positions commit with the alerts, as before) and the correlation state. The event loop
// keeps the API, the network receivers (they hand their lines over) and the consumers of committed
// alerts (live feed, active response, notifications), which get each batch after its commit.
import type { Dialect, EngineOptions, RulesetInput } from '@portcullis/engine';
import type { SourceInfo } from '@portcullis/shared';
import type { ServerConfig } from '../config/server-config.js';
import type { DatabaseHealth } from '../db/storage-guard.js';
import type { AlertRecord } from '../modules/alerts/alerts.repository.js';
import type { RawLine, SourceStatus } from '../sources/index.js';
import type { IngestSummary } from './pipeline.js';
import type { OverrideSpec } from './rule-overrides.js';

/** What the thread compiles: exactly the running ruleset's inputs, so both threads agree. */
export interface RulesetData {
  files: RulesetInput;
  dialect: Dialect;
  engineOptions: Partial<EngineOptions>;
  overrides: OverrideSpec[];
}

export interface IngestInit {
  config: ServerConfig;
  ruleset: RulesetData;
  /** The write lock's turns, shared with the event loop (db/write-turns.ts). */
  turns: SharedArrayBuffer;
}

/** A journal-upload entry: its line (null when the receiver turned it away) and cursor. */
export interface JournalItem {
  line: RawLine | null;
  cursor: string | null;
  /** The source_cursors row the cursor belongs to (`upload:<host>:<seqnum id>`). */
  store: string | null;
}

export type ToIngest =
  /** `chars`: the lines' length, handed back in `done` (the event loop bounds what is in flight). */
  | { type: 'lines'; lines: RawLine[]; chars: number; ack: number | null }
  | { type: 'journal'; items: JournalItem[]; ack: number }
  | { type: 'ruleset'; ruleset: RulesetData }
  | { type: 'stop' };

/** A committed alert as it crosses threads: the row, and what consumers read of the verdict. */
export interface WireAlert {
  id: number;
  record: AlertRecord;
  rule: number | null;
  alertRule: number | null;
  srcip: string | null;
  dstuser: string | null;
  filename: string | null;
}

export interface MetricsSnapshot {
  lines: number;
  events: number;
  alerts: number;
  alertsByLevel: Array<[number, number]>;
  failedBatches: number;
  dbWrite: HistogramData;
  ingestLag: HistogramData;
  lastLagSeconds: number;
  gcSeconds: number;
}

export interface HistogramData {
  counts: number[];
  sum: number;
  count: number;
}

export interface SourcesReport {
  statuses: SourceStatus[];
  infos: SourceInfo[];
}

export interface JournalAnswer {
  stored: number;
  duplicates: number;
  /** Indexes (in the items sent) of the entries turned away that were not resends. */
  dropped: number[];
}

export type AckAnswer = IngestSummary | JournalAnswer;

export type FromIngest =
  | { type: 'ready'; sources: SourcesReport; metrics: MetricsSnapshot; storage: DatabaseHealth }
  | { type: 'failed'; message: string }
  /**
   * A committed batch, as encodeAlerts makes it (JSON text of arrays, see there), in pieces of at
   * most ALERTS_PER_MESSAGE alerts: `more` until the batch's last piece.
   */
  | { type: 'alerts'; json: string; more: boolean }
  | { type: 'hostLines'; counts: Array<[string, number]>; at: number }
  | { type: 'report'; sources: SourcesReport; metrics: MetricsSnapshot; storage: DatabaseHealth }
  | { type: 'done'; lines: number; chars: number }
  | { type: 'ack'; ack: number; answer: AckAnswer; metrics: MetricsSnapshot }
  | { type: 'nack'; ack: number; error: { name: string; message: string } }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; obj: object; msg: string }
  | { type: 'stopped' };

/**
 * Alerts per message: ~55 KB of JSON for auth-log alerts. A string over 128 KiB is a large object
 * to V8 (mapped and unmapped on its own, in each thread), and a message that size took 5.6× as
 * long per character to post as one of 100 KB (bench/server-ingest.mjs: 0.58 s of the ingest
 * thread's 7 s per 500k lines went to posting batches of ~300 alerts in one piece).
 */
export const ALERTS_PER_MESSAGE = 100;

/**
 * Committed alerts as JSON text of one array per alert, its values in a fixed order. JSON text is
 * half the cost of a structured clone of the objects (measured); arrays instead of objects make the
 * text 40% shorter and its stringify and parse ~40% cheaper (no keys), and the copy between threads
 * with it. `decodeAlerts` gives back exactly what was encoded.
 */
export function encodeAlerts(alerts: readonly WireAlert[]): string {
  const rows = new Array<unknown[]>(alerts.length);
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts[i]!;
    const r = a.record;
    rows[i] = [
      a.id, r.time, r.eventTime, r.ruleId, r.level, r.description, r.groups, r.decoder, r.srcip, r.user, r.hostname,
      r.programName, r.location, r.fullLog, r.fields, r.host, a.rule, a.alertRule, a.srcip, a.dstuser, a.filename,
    ];
  }
  return JSON.stringify(rows);
}

type Row = [
  number, number, number | null, number, number, string, string[], string | null, string | null, string | null, string | null,
  string | null, string, string, Record<string, string>, string | null, number | null, number | null, string | null, string | null, string | null,
];

export function decodeAlerts(json: string): WireAlert[] {
  const rows = JSON.parse(json) as Row[];
  const out = new Array<WireAlert>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [id, time, eventTime, ruleId, level, description, groups, decoder, srcip, user, hostname, programName, location, fullLog, fields, host, rule, alertRule, evSrcip, dstuser, filename] = rows[i]!;
    out[i] = {
      id,
      record: { time, eventTime, ruleId, level, description, groups, decoder, srcip, user, hostname, programName, location, fullLog, fields, host },
      rule, alertRule, srcip: evSrcip, dstuser, filename,
    };
  }
  return out;
}
