// What the main thread sends a ruleset worker (ruleset.worker.ts) and what comes back: data only,
// structured-cloned. A worker compiles from the same inputs the RulesetManager would (files text,
// dialect, the admins' overrides), so a draft or a log test gives the same answer as in-process.
import type { Dialect, RulesetInput } from '@portcullis/engine';
import type { LogtestResponse, RulesetStatus } from '@portcullis/shared';
import type { LogtestRun } from '../modules/logtest/logtest.run.js';
import type { OverrideSpec } from '../pipeline/rule-overrides.js';

export interface RulesetSource {
  files: RulesetInput;
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
export type LogtestAnswer = { ok: true; response: LogtestResponse } | CompileFailed;
