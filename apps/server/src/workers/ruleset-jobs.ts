// What the main thread sends a ruleset worker (ruleset.worker.ts) and what comes back: data only,
// structured-cloned. A worker compiles from the same inputs the RulesetManager would (files text,
// dialect, the admins' overrides), so a draft or a log test gives the same answer as in-process.
import type { Dialect, RulesetInput } from '@portcullis/engine';
import type { LogtestResponse, RulesetStatus } from '@portcullis/shared';
import type { LogtestRun } from '../modules/logtest/logtest.run.js';
import type { OverrideSpec } from '../pipeline/rule-overrides.js';

export interface RulesetSource {
  /**
   * The files' text. Left out for the live ruleset when a thread is likely to hold its compile
   * already (`key`): structured-cloning a whole ruleset for every log test cost the event loop more
   * than the test (22 s of a 6-minute soak); a thread without it answers `missing` and gets it.
   */
  files?: RulesetInput;
  dialect: Dialect;
  overrides: OverrideSpec[];
  /**
   * Set for the live ruleset: the same key always comes with the same inputs, so a thread keeps
   * its last compile under it and skips compiling again.
   */
  key?: string;
}

export type RulesetJob =
  | { kind: 'validate'; ruleset: RulesetSource }
  | { kind: 'logtest'; ruleset: RulesetSource; run: LogtestRun };

/** The ruleset did not compile: every error, with the files' absolute paths. */
export interface CompileFailed {
  ok: false;
  errors: RulesetStatus['errors'];
}

export type ValidateAnswer = { ok: true; rules: number; decoders: number } | CompileFailed;
/** The job named a live ruleset by its key alone and this thread has not compiled it: send the files. */
export interface SourceMissing {
  ok: false;
  missing: true;
}

export type LogtestAnswer = { ok: true; response: LogtestResponse } | CompileFailed | SourceMissing;
