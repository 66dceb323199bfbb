// What the reader threads (reader.worker.ts) are asked and answer: plain data, structured-cloned.
import type { AlertPage } from '@portcullis/shared';
import type { AlertListQuery, StatsRange, StatsRows } from '../modules/alerts/alerts.repository.js';

/** Every job names the database file; a thread opens it read-only once and keeps it. */
export type ReadJob =
  | { kind: 'alert-stats'; db: string; range: StatsRange; count: boolean }
  | { kind: 'alert-list'; db: string; query: AlertListQuery };

export interface StatsAnswer {
  rows: StatsRows;
  /** Every alert stored, when the job asked for the count. */
  stored: number | null;
}

export type ListAnswer = AlertPage;
