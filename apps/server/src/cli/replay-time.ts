// A line's time as replay's reader thread hands it over (replay-reader.ts): the reader reads each
// line's timestamp, one item less of the main thread's work per line. An Int32 per line: the
// seconds, or one of two codes. Apart from replay-reader.ts so that a replay on one thread does not
// load node:worker_threads.
import type { LogClock } from '@portcullis/engine';

/** The line has no timestamp the clock reads. */
const NO_TIME = -0x80000000;
/** A time the code cannot carry (not whole seconds, or past 2038): the main thread reads it itself. */
const READ_TIME = -0x7fffffff;

/** The code for `line`'s time, read with `clock`. */
export function timeCode(line: string, clock: LogClock): number {
  const t = clock.time(line);
  if (t === null) return NO_TIME;
  return Number.isInteger(t) && t > READ_TIME && t <= 0x7fffffff ? t : READ_TIME;
}

/** The time of `line` from its `code`: seconds, or null when the line has no timestamp (as `clock.time(line)`). */
export function lineTime(code: number, line: string, clock: LogClock): number | null {
  return code === READ_TIME ? clock.time(line) : code === NO_TIME ? null : code;
}
