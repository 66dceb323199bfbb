// Shared by the CLI commands: which config, which home, which dialect, and the compiled engine.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { CompiledRuleset, Dialect, EngineOptions, RulesetInput } from '@portcullis/engine';
import { Engine, compileRuleset } from '@portcullis/engine';
import type { OssecConfig } from '../config/ossec-config.js';
import { parseOssecConfig } from '../config/ossec-config.js';
import { loadRulesetCached } from '../config/ruleset-cache.js';
import type { FileStat } from '../config/ruleset-files.js';
import { homeOf, rulesetFiles, rulesetStats } from '../config/ruleset-files.js';
import { configFromEnvironment } from '../config/server-config.js';
import { shippedConfig } from '../paths.js';

export interface ContextOptions {
  home?: string | undefined;
  config?: string | undefined;
  dialect?: string | undefined;
  /** Where compiled rulesets are cached (default ~/.cache/portcullis); false: always compile. */
  rulesetCache?: string | false | undefined;
}

export interface Context {
  configPath: string;
  home: string;
  cfg: OssecConfig;
  dialect: Dialect;
  ruleset: CompiledRuleset;
  /** The decoder, rule and list files the ruleset was compiled from, as read then. */
  files: RulesetInput;
  engineOptions: Partial<EngineOptions>;
  /** True when running Portcullis's own config (not a user-given OSSEC/Wazuh home). */
  shipped: boolean;
  /** Whether the ruleset came from the cache (hit), was compiled (miss) or the cache was off. */
  rulesetCache: 'hit' | 'miss' | 'off';
}

export class UsageError extends Error {}

export function parseDialect(v: string | undefined): Dialect | undefined {
  if (v === undefined) return undefined;
  if (v !== 'wazuh' && v !== 'ossec') throw new UsageError(`--dialect must be wazuh or ossec, not "${v}"`);
  return v;
}

function yes(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return /^(yes|true|1|on)$/i.test(v.trim());
}

export function loadContext(opts: ContextOptions): Context {
  let configPath: string;
  let home: string;
  if (opts.config) {
    configPath = resolve(opts.config);
    home = opts.home ? resolve(opts.home) : homeOf(configPath);
  } else if (opts.home) {
    home = resolve(opts.home);
    configPath = resolve(home, 'etc', 'ossec.conf');
  } else {
    const fromEnv = configFromEnvironment();
    configPath = fromEnv ? resolve(fromEnv) : shippedConfig;
    home = homeOf(configPath);
  }
  if (!existsSync(configPath)) throw new UsageError(`config file not found: ${configPath}`);
  const shipped = configPath === shippedConfig;
  const cfg = parseOssecConfig(readFileSync(configPath, 'utf8'), configPath);
  // An OSSEC home (<rules>) means OSSEC's semantics unless told otherwise; anything else Wazuh's.
  const dialect = parseDialect(opts.dialect) ?? parseDialect(cfg.portcullis.get('dialect')) ?? (cfg.rules?.kind === 'ossec' ? 'ossec' : 'wazuh');
  let files: RulesetInput;
  let ruleset: CompiledRuleset;
  let rulesetCache: Context['rulesetCache'] = 'off';
  if (opts.rulesetCache === false) {
    files = rulesetFiles(cfg, home);
    ruleset = compileRuleset(files, { dialect });
  } else {
    // The files are stat()ed first: unchanged since the cache saw them, they are not even read.
    let stats: { decoders: FileStat[]; rules: FileStat[]; lists: FileStat[] } | null = null;
    try {
      stats = rulesetStats(cfg, home);
    } catch {
      // a file that cannot be stat()ed: rulesetFiles reports it
    }
    ({ ruleset, files, cache: rulesetCache } = loadRulesetCached(stats, () => rulesetFiles(cfg, home), { dialect }, opts.rulesetCache));
  }
  const engineOptions: Partial<EngineOptions> = {
    dialect,
    logAlertLevel: cfg.logAlertLevel,
    localHostname: hostname().split('.')[0] ?? 'localhost',
    expandRepeated: yes(cfg.portcullis.get('expand_repeated')) ?? false,
  };
  if (cfg.memorySize !== null) engineOptions.memorySize = cfg.memorySize;
  return { configPath, home, cfg, dialect, ruleset, files, engineOptions, shipped, rulesetCache };
}

export function newEngine(ctx: Context, extra: Partial<EngineOptions> = {}): Engine {
  return new Engine(ctx.ruleset, { ...ctx.engineOptions, ...extra });
}

/** Local-time offset (minutes east of UTC) at an instant, from the process's TZ. */
export function tzOffset(utcMs: number): number {
  return -new Date(utcMs).getTimezoneOffset();
}
