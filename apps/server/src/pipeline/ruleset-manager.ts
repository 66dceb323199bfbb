// Hot reload of the ruleset: a new engine is compiled beside the running one and swapped in only
// when it compiles; correlation state of unchanged rules moves over (Engine.adoptState). A broken
// file leaves the old engine running and is reported with file, line and column.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RulesetError, RulesetLoadError, compileRuleset, type CompiledRuleset, type Dialect, type Engine, type RulesetInput } from '@portcullis/engine';
import type { RulesetStatus } from '@portcullis/shared';
import { loadContext, newEngine, type Context } from '../cli/context.js';
import { rulesetFiles } from '../config/ruleset-files.js';
import { applyOverrides, type OverrideSpec } from './rule-overrides.js';

export interface RulesetManagerOptions {
  configPath: string;
  dialect?: 'wazuh' | 'ossec' | undefined;
  expandRepeated?: boolean | undefined;
  /** Quiet period after a file change before reloading, ms. Default 300. */
  debounceMs?: number;
  /** The admins' overrides, read at every compile (design decision 4). */
  overrides?: () => Iterable<OverrideSpec>;
}

export interface RulesetLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type SwapListener = (engine: Engine, previous: Engine) => void;
export type StatusListener = (status: RulesetStatus) => void;

export interface ReloadResult {
  ok: boolean;
  status: RulesetStatus;
}

export function errorsOf(err: unknown): RulesetStatus['errors'] {
  const list = err instanceof RulesetLoadError ? err.errors : err instanceof RulesetError ? [err] : null;
  if (list) return list.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message }));
  return [{ file: '', line: 0, column: 0, message: err instanceof Error ? err.message : String(err) }];
}

/**
 * `files` compiled with `dialect` and the overrides applied: what `RulesetManager.compile` does,
 * callable where there is no manager (a worker thread given the same inputs). Throws RulesetLoadError.
 */
export function compileWithOverrides(files: RulesetInput, dialect: Dialect, overrides: Iterable<OverrideSpec>): CompiledRuleset {
  const ruleset = compileRuleset(files, { dialect });
  applyOverrides(ruleset, overrides);
  return ruleset;
}

export class RulesetManager {
  #engine: Engine;
  #ctx: Context;
  #status: RulesetStatus;
  readonly #o: RulesetManagerOptions;
  readonly #log: RulesetLogger;
  readonly #swapListeners = new Set<SwapListener>();
  readonly #statusListeners = new Set<StatusListener>();
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | null = null;

  /** Compiles the ruleset; throws RulesetLoadError when the first load fails (nothing to fall back on). */
  constructor(options: RulesetManagerOptions, log: RulesetLogger) {
    this.#o = options;
    this.#log = log;
    this.#ctx = this.#load();
    this.#engine = this.#build(this.#ctx);
    this.#status = this.#okStatus(0);
  }

  get engine(): Engine {
    return this.#engine;
  }

  get context(): Context {
    return this.#ctx;
  }

  status(): RulesetStatus {
    return this.#status;
  }

  /** Called after each successful switch, with the new and the old engine. */
  onSwap(listener: SwapListener): () => void {
    this.#swapListeners.add(listener);
    return () => this.#swapListeners.delete(listener);
  }

  /** Called after every reload attempt, successful or not. */
  onStatus(listener: StatusListener): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  #load(): Context {
    const ctx = loadContext({ config: this.#o.configPath, dialect: this.#o.dialect });
    if (this.#o.expandRepeated !== undefined) ctx.engineOptions.expandRepeated = this.#o.expandRepeated;
    return ctx;
  }

  #build(ctx: Context): Engine {
    applyOverrides(ctx.ruleset, this.#o.overrides?.() ?? []);
    return newEngine(ctx);
  }

  /**
   * Compiles `files` with the running config's dialect and the overrides applied, for a draft, a
   * validation or a log test: never the running engine's rule objects (they hold its state).
   * Throws RulesetLoadError.
   */
  compile(files: RulesetInput): CompiledRuleset {
    return compileWithOverrides(files, this.#ctx.dialect, this.overrides());
  }

  /** The admins' overrides in force now, as data (what a compile applies). */
  overrides(): OverrideSpec[] {
    return [...(this.#o.overrides?.() ?? [])];
  }

  /** The ruleset files as they are on disk now, per the running config. Throws RulesetError. */
  readFiles(): ReturnType<typeof rulesetFiles> {
    return rulesetFiles(this.#ctx.cfg, this.#ctx.home);
  }

  #okStatus(kept: number): RulesetStatus {
    return {
      ok: true,
      dialect: this.#ctx.dialect,
      rules: this.#ctx.ruleset.tree.all.length,
      decoders: this.#ctx.ruleset.decoders.all.length,
      loaded_at: new Date().toISOString(),
      kept_rules: kept,
      errors: [],
      failed_at: null,
    };
  }

  /**
   * Recompiles now: from disk (config and files), or with `running` from the files the running
   * engine was compiled from (an override changed, not a file). On failure the running engine
   * stays and the errors are in the status.
   */
  reload(reason = 'request', source: 'disk' | 'running' = 'disk'): ReloadResult {
    let ctx: Context;
    try {
      ctx = source === 'disk' ? this.#load() : { ...this.#ctx, ruleset: compileRuleset(this.#ctx.files, { dialect: this.#ctx.dialect }) };
    } catch (err) {
      const errors = errorsOf(err);
      this.#status = { ...this.#status, ok: false, errors, failed_at: new Date().toISOString() };
      this.#log.error({ reason, errors }, `ruleset reload failed, the previous ruleset stays in force: ${errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('; ')}`);
      this.#emitStatus();
      return { ok: false, status: this.#status };
    }
    const previous = this.#engine;
    const next = this.#build(ctx);
    const kept = next.adoptState(previous);
    this.#ctx = ctx;
    this.#engine = next;
    this.#status = this.#okStatus(kept);
    this.#log.info({ reason, rules: this.#status.rules, kept }, 'ruleset reloaded');
    for (const l of this.#swapListeners) l(next, previous);
    this.#emitStatus();
    if (this.#watchers.length > 0) this.watch();
    return { ok: true, status: this.#status };
  }

  #emitStatus(): void {
    for (const l of this.#statusListeners) l(this.#status);
  }

  /** The files a change of which triggers a reload: the config, and every rule and decoder file. */
  watchedFiles(): string[] {
    const files = [this.#o.configPath];
    try {
      const input = rulesetFiles(this.#ctx.cfg, this.#ctx.home);
      for (const f of [...input.decoders, ...input.rules]) files.push(f.path);
    } catch {
      // the files of the running ruleset could not be listed again; watch the config alone
    }
    return files;
  }

  /**
   * Watches the directories of the watched files (so editors that save by rename, and files
   * added to a rule directory, are seen) and reloads after a quiet period.
   */
  watch(): void {
    this.unwatch();
    const files = this.watchedFiles();
    const names = new Set(files.map((f) => basename(f)));
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, (_event, name) => {
          if (name === null || names.has(name) || name.endsWith('.xml')) this.#schedule();
        });
        w.on('error', () => undefined);
        this.#watchers.push(w);
      } catch {
        // a directory that cannot be watched: POST /api/ruleset/reload still works
      }
    }
  }

  unwatch(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.reload('file change');
    }, this.#o.debounceMs ?? 300);
  }
}
