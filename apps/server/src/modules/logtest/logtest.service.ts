// The dashboard's log test: pasted lines through a fresh engine on the live ruleset (or on a draft
// of one file), the three phases of each line, and the replay's "would this block, and when?" for
// the whole paste. Nothing is stored, no script runs, the running engine is not touched.
//
// The work runs in a worker thread (logtest.run.ts via workers/ruleset.worker.ts), never on the
// event loop that serves the API, tails the logs and runs the release timers: a hostile draft or
// a big paste is stopped at the pool's time and memory limits. Here: the input limits, and the
// snapshot of what the test needs (ruleset sources, overrides, responses, white list, protection).
import type { Engine } from '@portcullis/engine';
import { LOGTEST_LIMITS, type LogtestRequest, type LogtestResponse } from '@portcullis/shared';
import { PayloadTooLargeError } from '../../errors.js';
import type { RulesetManager } from '../../pipeline/ruleset-manager.js';
import type { LogtestAnswer, RulesetSource } from '../../workers/ruleset-jobs.js';
import type { WorkerPool } from '../../workers/worker-pool.js';
import { arBindingsOf } from '../active-response/policy.js';
import { RulesetInvalidError, checkFileSize, type RulesetFilesService } from '../ruleset/files.service.js';
import type { ProtectionSnapshot } from './logtest.run.js';

export interface LogtestDeps {
  ruleset: RulesetManager;
  files: RulesetFilesService;
  pool: WorkerPool;
  /** The white list as active response uses it: the config's entries and the dashboard's. */
  whiteList: () => string[];
  /** Built-in protection (loopback, this host, signed-in admins) now. */
  protection: () => ProtectionSnapshot;
}

/** 413 for a paste over LOGTEST_LIMITS, naming the field, the value and the limit. */
export function checkLogtestInput(req: LogtestRequest): void {
  const { lines, lineBytes } = LOGTEST_LIMITS;
  if (req.lines.length > lines)
    throw new PayloadTooLargeError(`lines: ${req.lines.length} lines; a log test takes at most ${lines} lines`, 'LOGTEST_TOO_MANY_LINES');
  req.lines.forEach((line, i) => {
    const size = Buffer.byteLength(line);
    if (size > lineBytes)
      throw new PayloadTooLargeError(`lines[${i}] (line ${i + 1}): ${size} bytes; a log line may have at most ${lineBytes} bytes (OSSEC's cut)`, 'LOGTEST_LINE_TOO_LONG');
  });
  if (req.draft) checkFileSize('draft.content', req.draft.path, req.draft.content);
}

export class LogtestService {
  /** A key per running engine: a worker reuses its compile of the live ruleset while it is the same. */
  readonly #keys = new WeakMap<Engine, string>();
  #generation = 0;

  constructor(private readonly d: LogtestDeps) {}

  #liveKey(engine: Engine): string {
    let key = this.#keys.get(engine);
    if (key === undefined) {
      key = `live-${++this.#generation}`;
      this.#keys.set(engine, key);
    }
    return key;
  }

  /** What the thread compiles: a draft in full; the live ruleset by its key, with the files only when asked (`withFiles`). */
  #source(req: LogtestRequest, withFiles: boolean): RulesetSource {
    const { ruleset, files } = this.d;
    if (req.draft) return files.source(files.draftInput(req.draft.path, req.draft.content));
    const { files: text, ...rest } = files.source(ruleset.context.files);
    return { ...rest, ...(withFiles ? { files: text } : {}), key: this.#liveKey(ruleset.engine) };
  }

  /**
   * Runs the lines in a worker. Throws PayloadTooLargeError (413) over the input limits,
   * RulesetInvalidError (422) for a draft that does not compile, the pool's errors (429, 503) and
   * JobAbortedError when `signal` aborts.
   */
  async run(req: LogtestRequest, signal?: AbortSignal, now = Date.now()): Promise<LogtestResponse> {
    checkLogtestInput(req);
    const ctx = this.d.ruleset.context;
    const job = (withFiles: boolean) => ({
      kind: 'logtest' as const,
      ruleset: this.#source(req, withFiles),
      run: {
        lines: req.lines,
        ruleset: req.draft ? 'draft' : 'live',
        time: req.time === 'log' ? 'log' : 'now',
        year: req.year ?? new Date(now).getFullYear(),
        now,
        engineOptions: ctx.engineOptions,
        bindings: arBindingsOf(ctx.cfg),
        whiteList: this.d.whiteList(),
        protection: this.d.protection(),
      },
    });
    let answer = await this.d.pool.run<LogtestAnswer>(job(false), signal);
    // The thread that took it has not compiled this live ruleset yet: once more, with the files.
    if (!answer.ok && 'missing' in answer) answer = await this.d.pool.run<LogtestAnswer>(job(true), signal);
    if (!answer.ok && 'missing' in answer) throw new Error('the log test thread did not keep the live ruleset it was sent');
    if (!answer.ok) throw new RulesetInvalidError({ ok: false, errors: this.d.files.shown(answer.errors), rules: 0, decoders: 0 });
    return answer.response;
  }
}
