// The server's settings, read and validated once: command-line flags over environment variables
// over the config's <portcullis> block over built-in defaults. The only module that reads
// process.env; everything else receives a ServerConfig.
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { shippedActiveResponse, shippedConfig } from '../paths.js';
import { ConfigError, bool, int, parseListen, type ListenAddress } from './config-values.js';
import { parseOssecConfig, type OssecConfig } from './ossec-config.js';
import { homeOf } from './ruleset-files.js';
import { syslogListeners, type SyslogListen } from './syslog-config.js';
import { tlsOf, type TlsConfig } from './tls-config.js';

// The parts live in their own modules (values, syslog receivers, TLS); importers keep one entry point.
export { ConfigError, parseListen, type ListenAddress } from './config-values.js';
export { syslogListenersOf, type SyslogListen } from './syslog-config.js';
export { tlsOf, type SyslogTlsFiles, type TlsConfig } from './tls-config.js';

export interface ServerConfig {
  configPath: string;
  home: string;
  cfg: OssecConfig;
  listen: ListenAddress;
  dataDir: string;
  dbPath: string;
  retention: { days: number; maxAlerts: number; intervalMs: number };
  activeResponseDir: string;
  /** Where activeResponseDir came from (an explicit one that is missing is an error, not a fallback). */
  activeResponseDirFrom: ActiveResponseDirSource;
  dialect: 'wazuh' | 'ossec' | undefined;
  expandRepeated: boolean | undefined;
  adminProtection: boolean;
  syslog: SyslogListen[];
  journald: 'auto' | 'yes' | 'no';
  /** SYSLOG_IDENTIFIERs read from the journal when journald is on (one source each). */
  journaldIdentifiers: string[];
  /** The _UIDs sshd (or another journald_identifier) must run as for its entries to be read; 'any': no check. */
  journaldTrustedUids: number[] | 'any';
  logLevel: string;
  /** Set the Secure flag on the session cookie (behind an HTTPS proxy). */
  secureCookies: boolean;
  /** Watch rule and decoder files and reload on change. */
  watchRuleset: boolean;
  live: { intervalMs: number; maxPerInterval: number };
  /** `<tls>`: the main listener serves HTTPS. */
  tls: TlsConfig | null;
  /** `<public_url>`: how hosts reach this server (bouncer api_url, journal-upload URL); default from listen and tls. */
  publicUrl: string;
  /** PORTCULLIS_SMTP_PASSWORD: the SMTP password when <smtp> has no <password_file>; never stored. */
  smtpPassword: string | null;
}

/**
 * `config`/`env`: `<active_response_dir>` or PORTCULLIS_ACTIVE_RESPONSE_DIR, used as given even when
 * missing; `home`: the config's own `active-response/`; `shipped`: the repository's scripts.
 */
export type ActiveResponseDirSource = 'config' | 'env' | 'home' | 'shipped';

export interface ActiveResponseDirChoice {
  path: string;
  from: ActiveResponseDirSource;
}

/** What the `start` command was given on its command line. */
export interface StartFlags {
  config?: string | undefined;
  data?: string | undefined;
  listen?: string | undefined;
}

export const DEFAULT_LISTEN = '127.0.0.1:8787';

/**
 * Reads the config file, then merges flags, environment and <portcullis> into one ServerConfig.
 * `parsed`: the config file, already read and parsed by the caller (a CLI command has it).
 */
export function resolveServerConfig(flags: StartFlags = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), parsed?: OssecConfig): ServerConfig {
  const given = flags.config ?? env.PORTCULLIS_CONFIG;
  const configPath = given ? resolve(cwd, given) : shippedConfig;
  let cfg: OssecConfig;
  if (parsed !== undefined && parsed.file === configPath) cfg = parsed;
  else {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config ${configPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    cfg = parseOssecConfig(text, configPath);
  }
  const home = homeOf(configPath);
  const block = cfg.portcullis;
  // env PORTCULLIS_<ELEMENT> overrides <portcullis><element>; relative env/flag paths are from cwd.
  const setting = (key: string): { value: string; from: 'env' | 'config' } | undefined => {
    const e = env[`PORTCULLIS_${key.toUpperCase()}`];
    if (e !== undefined && e !== '') return { value: e, from: 'env' };
    const c = block.get(key);
    return c !== undefined && c !== '' ? { value: c, from: 'config' } : undefined;
  };
  const pathSetting = (key: string, fallback: string): string => {
    const s = setting(key);
    if (!s) return resolve(home, fallback);
    return isAbsolute(s.value) ? s.value : resolve(s.from === 'env' ? cwd : home, s.value);
  };

  const listenText = flags.listen ?? setting('listen')?.value ?? DEFAULT_LISTEN;
  const dataDir = flags.data ? resolve(cwd, flags.data) : env.PORTCULLIS_DATA ? resolve(cwd, env.PORTCULLIS_DATA) : pathSetting('data_dir', 'data');
  const dialect = setting('dialect')?.value;
  if (dialect !== undefined && dialect !== 'wazuh' && dialect !== 'ossec') throw new ConfigError(`dialect must be wazuh or ossec, not "${dialect}"`);
  const expand = setting('expand_repeated');
  const journald = (setting('journald')?.value ?? 'auto').toLowerCase();
  const listen = parseListen(listenText);
  const tls = tlsOf(cfg, home);
  if (journald !== 'auto' && journald !== 'yes' && journald !== 'no') throw new ConfigError(`journald must be auto, yes or no, not "${journald}"`);

  return {
    configPath,
    home,
    cfg,
    listen,
    dataDir,
    dbPath: join(dataDir, 'portcullis.db'),
    retention: {
      days: int(setting('retention_days')?.value ?? '90', 'retention_days', 0),
      maxAlerts: int(setting('retention_max_alerts')?.value ?? '1000000', 'retention_max_alerts', 0),
      intervalMs: 5_000,
    },
    ...activeResponseDirField(activeResponseDirOf(cfg, home, env, cwd)),
    dialect,
    expandRepeated: expand ? bool(expand.value, 'expand_repeated') : undefined,
    adminProtection: bool(setting('admin_protection')?.value ?? 'yes', 'admin_protection'),
    syslog: syslogListeners(cfg, env, home),
    journald,
    journaldIdentifiers: repeated(cfg, 'journald_identifier', env.PORTCULLIS_JOURNALD_IDENTIFIER) ?? ['sshd'],
    journaldTrustedUids: trustedUids(repeated(cfg, 'journald_trusted_uid', env.PORTCULLIS_JOURNALD_TRUSTED_UID) ?? ['0']),
    logLevel: setting('log_level')?.value ?? 'info',
    secureCookies: bool(setting('secure_cookies')?.value ?? 'no', 'secure_cookies'),
    watchRuleset: bool(setting('watch_ruleset')?.value ?? 'yes', 'watch_ruleset'),
    live: {
      intervalMs: int(setting('live_interval_ms')?.value ?? '25', 'live_interval_ms', 10),
      maxPerInterval: int(setting('live_max_per_interval')?.value ?? '50', 'live_max_per_interval', 1),
    },
    tls,
    publicUrl: publicUrlOf(setting('public_url')?.value, listen, tls !== null),
    smtpPassword: env.PORTCULLIS_SMTP_PASSWORD || null,
  };
}

/** `<public_url>` as given (http or https, no path), else the listen address with this host's name for a wildcard one. */
function publicUrlOf(value: string | undefined, listen: ListenAddress, tls: boolean): string {
  if (value !== undefined) {
    let u: URL;
    try {
      u = new URL(value.trim());
    } catch {
      throw new ConfigError(`public_url "${value}" is not a URL (e.g. https://portcullis.example:8787)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`public_url "${value}" must start with http:// or https://`);
    return u.origin;
  }
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::' || listen.host === '';
  const host = wildcard ? hostname() : listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `${tls ? 'https' : 'http'}://${host}:${listen.port}`;
}

function activeResponseDirField(c: ActiveResponseDirChoice): Pick<ServerConfig, 'activeResponseDir' | 'activeResponseDirFrom'> {
  return { activeResponseDir: c.path, activeResponseDirFrom: c.from };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where `<command>` executables are looked up: PORTCULLIS_ACTIVE_RESPONSE_DIR, else
 * `<active_response_dir>` (both as given, even when missing), else the config home's own
 * `active-response/bin/` (an OSSEC or Wazuh installation) or `active-response/` when there is one,
 * else the shipped scripts — as a config without rules uses the shipped rules. Shared by the
 * server and `check-config`, so both look in the same place.
 */
export function activeResponseDirOf(cfg: OssecConfig, home: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ActiveResponseDirChoice {
  const e = env.PORTCULLIS_ACTIVE_RESPONSE_DIR;
  if (e !== undefined && e !== '') return { path: resolve(cwd, e), from: 'env' };
  const c = cfg.portcullis.get('active_response_dir');
  if (c !== undefined && c !== '') return { path: resolve(home, c), from: 'config' };
  for (const own of [join(home, 'active-response', 'bin'), join(home, 'active-response')]) if (isDirectory(own)) return { path: own, from: 'home' };
  return { path: shippedActiveResponse, from: 'shipped' };
}

/** Values of a repeatable <portcullis> element, or a comma-separated env override. */
function repeated(cfg: OssecConfig, name: string, envValue: string | undefined): string[] | undefined {
  if (envValue !== undefined) return envValue.split(',').map((s) => s.trim()).filter(Boolean);
  const values = cfg.portcullisElements.flatMap((sec) => sec.children.filter((c) => c.name === name).map((c) => c.text.trim()));
  return values.length > 0 ? values : undefined;
}

/** `<journald_trusted_uid>`: numbers, or `any` alone. */
function trustedUids(values: string[]): number[] | 'any' {
  if (values.some((v) => v.toLowerCase() === 'any')) return 'any';
  return values.map((v) => {
    if (!/^\d+$/.test(v)) throw new ConfigError(`journald_trusted_uid must be a user id number or any, not "${v}"`);
    return Number(v);
  });
}

/** `PORTCULLIS_CONFIG`, for the commands (logtest, replay, check-config) that take the config from there too. */
export function configFromEnvironment(): string | undefined {
  return process.env.PORTCULLIS_CONFIG || undefined;
}

/** The environment active-response scripts run with: this process's (PATH, PORTCULLIS_FW_BACKEND, …). */
export function scriptEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
