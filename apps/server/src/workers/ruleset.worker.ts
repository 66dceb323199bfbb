// The worker thread of the ruleset pools (workers.plugin.ts): compiles a ruleset from data and
// validates it or runs a log test on it. One job at a time; the pool terminates the thread when a
// job is over its time or memory limit or its client went away.
import { serveJobs } from './serve-jobs.js';
import type { CompiledRuleset } from '@portcullis/engine';
import { runLogtest } from '../modules/logtest/logtest.run.js';
import { compileWithOverrides, errorsOf } from '../pipeline/ruleset-manager.js';
import type { LogtestAnswer, RulesetJob, RulesetSource, ValidateAnswer } from './ruleset-jobs.js';


let kept: { key: string; ruleset: CompiledRuleset } | null = null;

class SourceMissingError extends Error {}

function compiled(src: RulesetSource): CompiledRuleset {
  if (src.key !== undefined && kept?.key === src.key) return kept.ruleset;
  if (!src.files) throw new SourceMissingError();
  const ruleset = compileWithOverrides(src.files, src.dialect, src.overrides);
  if (src.key !== undefined) kept = { key: src.key, ruleset };
  return ruleset;
}

function handle(job: RulesetJob): ValidateAnswer | LogtestAnswer {
  let ruleset: CompiledRuleset;
  try {
    ruleset = compiled(job.ruleset);
  } catch (err) {
    if (err instanceof SourceMissingError) return { ok: false, missing: true };
    return { ok: false, errors: errorsOf(err) };
  }
  if (job.kind === 'validate') return { ok: true, rules: ruleset.tree.all.length, decoders: ruleset.decoders.all.length };
  return { ok: true, response: runLogtest(ruleset, job.run) };
}

serveJobs<RulesetJob>('ruleset.worker.ts', handle);
