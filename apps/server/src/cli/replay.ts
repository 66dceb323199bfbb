// `portcullis replay FILE`: the whole file through the engine and the config's active responses,
// on log time, running no script. "Would this block, and when?" for a whole log file.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { LogClock, WhiteList, bindActiveResponses, decoderSetKey } from '@portcullis/engine';
import { arBindingsOf } from '../modules/active-response/policy.js';
import { Replayer, type ReplayBlock } from '../pipeline/replayer.js';
import { applyOverrides } from '../pipeline/rule-overrides.js';
import type { Context } from './context.js';
import { UsageError, loadContext, newEngine, tzOffset } from './context.js';
import { forEachLine } from './read-lines.js';
import type { ReaderThread } from './replay-reader.js';
import { storedOverrides } from './stored-overrides.js';
import { writeOut } from './write-out.js';

export { isoLocal, type ReplayBlock } from '../pipeline/replayer.js';

export interface ReplayReport {
  lines: number;
  alerts: Record<string, number>;
  blocks: ReplayBlock[];
  lines_per_second: number;
}

export interface ReplayOptions {
  /** A reader thread started for this file (ReaderThread): it takes over once it is ready. */
  reader?: ReaderThread | null;
  /** Wait for the reader before the first line (`--threads 2`), rather than start alone. */
  waitForReader?: boolean;
  /** The time of lines before the first with a timestamp (seconds; default now). */
  now?: number;
}

/** Lines replayed alone between two looks at whether the reader thread is ready. */
const POLL_LINES = 256;

export async function replay(ctx: Context, file: string, year: number, opts: ReplayOptions = {}): Promise<ReplayReport & { agentOnly: number; refused: Record<string, number>; threads: 1 | 2 }> {
  const engine = newEngine(ctx);
  const r = new Replayer(engine, {
    dialect: ctx.dialect,
    bound: bindActiveResponses(ctx.ruleset.tree.all, arBindingsOf(ctx.cfg), ctx.dialect),
    whiteList: new WhiteList(ctx.cfg.whiteList),
    maxRefusals: 0,
  });
  const start = performance.now();
  const clock = new LogClock(year, tzOffset);
  let time = opts.now ?? Date.now() / 1000;
  const reader = opts.reader ?? null;
  const key = reader === null ? '' : decoderSetKey(ctx.ruleset.decoders);
  // Where the reader thread takes over (the byte offset of a line), or -1.
  let from = reader !== null && opts.waitForReader && (await reader.ready(key)) ? 0 : -1;
  try {
    if (from < 0) {
      let n = 0;
      from = forEachLine(reader?.fd ?? file, (line, ascii, at) => {
        const t = clock.time(line);
        if (t !== null) time = t;
        r.feed(line, file, time, undefined, ascii, at);
        return reader !== null && ++n % POLL_LINES === 0 && reader.poll(key);
      });
    }
    if (from >= 0)
      await reader!.run(engine, ctx.ruleset.decoders, from, (line, ev) => {
        const t = clock.time(line);
        if (t !== null) time = t;
        if (ev !== null) ev.time = time;
        r.feedDecoded(line, file, time, ev);
      });
  } catch (err) {
    throw unreadable(file, err);
  } finally {
    await reader?.close();
  }
  const secs = (performance.now() - start) / 1000;
  return { lines: r.lines, alerts: r.alerts, blocks: r.blocks, lines_per_second: Math.round(r.lines / Math.max(secs, 1e-6)), agentOnly: r.agentOnly, refused: r.refusedByKind, threads: from >= 0 ? 2 : 1 };
}

/**
 * Below this size a file is replayed alone by default. Measured on the bench corpus (OSSEC home, 2
 * cores): at 10 MB two threads were ~20% slower (the thread's start-up takes CPU from this one's, and
 * both start with cold code), at 30 MB even, at 52 MB 10% and at 100 MB ~30% faster.
 */
export const READER_MIN_BYTES = 32 << 20;

/**
 * Whether a replay of `file` should start a reader thread: a regular file, and `--threads 2`, or
 * by default two cores or more and a file of READER_MIN_BYTES or more.
 */
export function readerWanted(file: string, threads: number | undefined): boolean {
  if (threads === 1 || (threads === undefined && availableParallelism() < 2)) return false;
  try {
    const st = statSync(file);
    return st.isFile() && (threads === 2 || st.size >= READER_MIN_BYTES);
  } catch {
    return false; // replaying alone reports why the file cannot be read
  }
}

/** A file that cannot be read (missing, a directory, not allowed) as the user's error, with no stack. */
function unreadable(file: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^(ENOENT|EACCES|EPERM|EISDIR|ENOTDIR|ELOOP|ENAMETOOLONG)$/.test(code)) return err;
  const why = /^[A-Z]+: ([^,]+)/.exec((err as Error).message)?.[1] ?? code;
  return new UsageError(`cannot read ${file}: ${why}`);
}

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      home: { type: 'string' },
      config: { type: 'string' },
      dialect: { type: 'string' },
      year: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      'no-overrides': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('usage: portcullis replay FILE [--home DIR] [--config FILE] [--dialect wazuh|ossec] [--year YYYY] [--data DIR] [--no-overrides] [--threads 1|2] [--json]');
  const year = values.year ? Number(values.year) : new Date().getFullYear();
  if (!Number.isInteger(year) || year < 1970 || year > 9999) throw new UsageError(`--year must be a year, not "${values.year}"`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && threads !== 1 && threads !== 2) throw new UsageError(`--threads must be 1 or 2, not "${values.threads}"`);
  const context = { home: values.home, config: values.config, dialect: values.dialect };
  const now = Date.now() / 1000;
  // The reader thread starts first, to load the rules while this thread does the same. Its module
  // is loaded only then (node:worker_threads costs every other start 3 ms); a thread that cannot
  // be started (a host's limit on threads) leaves this one alone.
  let reader: ReaderThread | null = null;
  if (readerWanted(file, threads)) {
    const { ReaderThread } = await import('./replay-reader.js');
    try {
      reader = new ReaderThread(file, context);
    } catch {
      reader = null;
    }
  }
  let ctx: Context;
  let stored: ReturnType<typeof storedOverrides>;
  let rep: Awaited<ReturnType<typeof replay>>;
  try {
    ctx = loadContext(context);
    stored = values['no-overrides'] ? { overrides: [], db: null } : storedOverrides(ctx.configPath, values.data, ctx.cfg);
    applyOverrides(ctx.ruleset, stored.overrides);
    rep = await replay(ctx, file, year, { reader, now, waitForReader: threads === 2 });
  } finally {
    await reader?.close();
  }
  if (values.json) {
    const out: ReplayReport = { lines: rep.lines, alerts: rep.alerts, blocks: rep.blocks, lines_per_second: rep.lines_per_second };
    writeOut(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const total = Object.values(rep.alerts).reduce((a, b) => a + b, 0);
  const lines: string[] = [];
  const tuned = stored.overrides.length > 0 ? `, ${stored.overrides.length} override(s) from ${stored.db}` : '';
  lines.push(`${file}: ${rep.lines} lines, ${total} alerts, ${rep.blocks.length} blocks (${ctx.dialect} dialect, config ${ctx.configPath}${tuned})`);
  lines.push('');
  lines.push('Alerts by rule:');
  const byRule = Object.entries(rep.alerts).sort((a, b) => b[1] - a[1]);
  for (const [id, n] of byRule) {
    const rule = ctx.ruleset.tree.byId.get(Number(id));
    lines.push(`  ${String(n).padStart(8)}  ${id.padEnd(6)} level ${String(rule?.level ?? '?').padStart(2)}  ${rule?.description ?? ''}`);
  }
  lines.push('');
  lines.push(rep.blocks.length > 0 ? 'Blocks (would run, no script was run):' : 'No blocks would be issued.');
  for (const b of rep.blocks)
    lines.push(`  ${b.at}  ${b.command.padEnd(14)} ${b.ip.padEnd(39)} rule ${b.rule_id}  timeout ${b.timeout}s  release ${b.release_at ?? 'never'}`);
  if (rep.agentOnly > 0) lines.push(`\n${rep.agentOnly} response(s) bound to agents were not counted: no agents configured.`);
  for (const [k, n] of Object.entries(rep.refused)) lines.push(`${n} response(s) refused: ${k}`);
  lines.push('');
  lines.push(`${rep.lines_per_second} lines/second (${rep.threads === 2 ? 'a reader thread decoding, this one evaluating' : 'one thread'})`);
  writeOut(`${lines.join('\n')}\n`);
  return 0;
}
