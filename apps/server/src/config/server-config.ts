// The server's settings, read and validated once: command-line flags over environment variables
// over the config's <portcullis> block over built-in defaults. The only module that reads
// process.env; everything else receives a ServerConfig.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { RulesetError, attrCI, type XmlElement } from '@portcullis/engine';
import { shippedActiveResponse, shippedConfig } from '../paths.js';
import { IpRangeError, parseIpRange } from '../sources/sender-filter.js';
import { ipEntry, parseOssecConfig, type OssecConfig } from './ossec-config.js';
import { homeOf } from './ruleset-files.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface SyslogListen extends ListenAddress {
  /** `tls`: RFC 5425, TCP with TLS and a client certificate naming a registered host. */
  protocol: 'udp' | 'tcp' | 'tls';
  /** OSSEC's <allowed-ips>: addresses or networks that may send; empty: this host only. */
  allowedIps: string[];
  /** OSSEC's <denied-ips>: they win over allowedIps. */
  deniedIps: string[];
  /** TCP limits; unset: the receiver's defaults (1000, 16, 30 s, 10 s). */
  maxConnections?: number;
  maxConnectionsPerSender?: number;
  idleTimeoutMs?: number;
  firstByteTimeoutMs?: number;
  /** protocol tls: PEM files (absolute; relative ones are taken from the config's folder). */
  tls?: SyslogTlsFiles;
}

export interface SyslogTlsFiles {
  cert: string;
  key: string;
  /** The CA that signs the hosts' client certificates. */
  clientCa: string;
}

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

/** `<tls><cert>…</cert><key>…</key><client_ca>…</client_ca></tls>`, the files read and checked. */
export interface TlsConfig {
  certPath: string;
  keyPath: string;
  /** When set, the listener asks for a client certificate (and still serves a browser without one). */
  clientCaPath: string | null;
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | null;
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

export class ConfigError extends Error {}

export const DEFAULT_LISTEN = '127.0.0.1:8787';

/** `HOST:PORT`, `[v6]:PORT`, `:PORT` or `PORT`. */
export function parseListen(value: string, what = 'listen address'): ListenAddress {
  const v = value.trim();
  let host = '127.0.0.1';
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(v);
  if (v6) [host, port] = [v6[1]!, v6[2]!];
  else if (/^\d+$/.test(v)) port = v;
  else {
    const i = v.lastIndexOf(':');
    if (i < 0) throw new ConfigError(`${what} "${value}" must be HOST:PORT`);
    host = v.slice(0, i) || host;
    port = v.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new ConfigError(`${what} "${value}": port must be 0-65535`);
  return { host, port: n };
}

function bool(value: string, what: string): boolean {
  if (/^(yes|true|1|on)$/i.test(value.trim())) return true;
  if (/^(no|false|0|off)$/i.test(value.trim())) return false;
  throw new ConfigError(`${what} must be yes or no, not "${value}"`);
}

function int(value: string, what: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new ConfigError(`${what} must be a whole number ≥ ${min}, not "${value}"`);
  return Number(value);
}

function elementError(el: XmlElement, message: string): never {
  throw new RulesetError('CONFIG', message, el.file, el.line, el.column);
}

/** Reads the config file, then merges flags, environment and <portcullis> into one ServerConfig. */
export function resolveServerConfig(flags: StartFlags = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServerConfig {
  const given = flags.config ?? env.PORTCULLIS_CONFIG;
  const configPath = given ? resolve(cwd, given) : shippedConfig;
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${configPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const cfg = parseOssecConfig(text, configPath);
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

/**
 * `<tls>` inside `<portcullis>`: `<cert>`, `<key>` and optional `<client_ca>` (PEM files, relative
 * paths from the config's home). A missing or unreadable file, or one that is not what its element
 * says, is an error naming the element, its place in the config and the path. Shared with check-config.
 */
export function tlsOf(cfg: OssecConfig, home: string): TlsConfig | null {
  const els = cfg.portcullisElements.flatMap((sec) => sec.children.filter((c) => c.name === 'tls'));
  if (els.length === 0) return null;
  if (els.length > 1) elementError(els[1]!, '<tls> is given more than once');
  const el = els[0]!;
  const found: Partial<Record<'cert' | 'key' | 'client_ca', PemFile>> = {};
  for (const c of el.children) {
    if (c.name !== 'cert' && c.name !== 'key' && c.name !== 'client_ca') elementError(c, `unknown element <${c.name}> in <tls> (known: cert, key, client_ca)`);
    if (found[c.name]) elementError(c, `<tls> takes one <${c.name}>`);
    const text = c.text.trim();
    if (text === '') elementError(c, `<tls><${c.name}> needs the path of a PEM file`);
    found[c.name] = { path: resolve(home, text), el: c };
  }
  const { cert, key, client_ca: clientCa } = found;
  if (!cert) elementError(el, '<tls> needs <cert>, the server certificate (PEM)');
  if (!key) elementError(el, '<tls> needs <key>, the server certificate\'s private key (PEM)');
  const pems = readPems('<tls>', cert, key, clientCa);
  return { certPath: cert.path, keyPath: key.path, clientCaPath: clientCa?.path ?? null, ...pems };
}

interface PemFile {
  path: string;
  el: XmlElement;
}

/**
 * Reads a certificate, its key and an optional CA (PEM) and checks each is what its element says:
 * readable, a certificate, the certificate's own key (not encrypted), a CA certificate. Errors name
 * `owner` and the element (`<tls><key>`, `<syslog protocol="tls"><cert>`), its place and the path.
 */
function readPems(owner: string, cert: PemFile, key: PemFile, clientCa: PemFile | undefined): { cert: Buffer; key: Buffer; clientCa: Buffer | null } {
  const read = (f: PemFile): Buffer => {
    try {
      return readFileSync(f.path);
    } catch (err) {
      elementError(f.el, `${owner}<${f.el.name}> ${f.path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  };
  const certData = read(cert);
  const keyData = read(key);
  const caData = clientCa ? read(clientCa) : null;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certData);
  } catch {
    elementError(cert.el, `${owner}<${cert.el.name}> ${cert.path}: not a PEM certificate`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(keyData))) elementError(key.el, `${owner}<${key.el.name}> ${key.path}: not the key of <cert> ${cert.path}`);
  } catch (err) {
    if (err instanceof RulesetError) throw err;
    elementError(key.el, `${owner}<${key.el.name}> ${key.path}: not a PEM private key (an encrypted key is not supported)`);
  }
  if (clientCa) {
    try {
      new X509Certificate(caData!);
    } catch {
      elementError(clientCa.el, `${owner}<${clientCa.el.name}> ${clientCa.path}: not a PEM certificate`);
    }
  }
  return { cert: certData, key: keyData, clientCa: caData };
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

/**
 * Syslog receivers, repeatable: `<syslog protocol="udp|tcp|tls">HOST:PORT</syslog>`, or the same with
 * children `<listen>HOST:PORT</listen>`, `<allowed-ips>`, `<denied-ips>` and the TCP limits (tls
 * also `<cert>`, `<key>`, `<client_ca>`); and
 * OSSEC's `<remote><connection>syslog</connection>…</remote>`. Env `PORTCULLIS_SYSLOG=udp:HOST:PORT,tcp:…`
 * replaces them all; `PORTCULLIS_SYSLOG_ALLOWED_IPS` / `PORTCULLIS_SYSLOG_DENIED_IPS` (comma-separated)
 * replace the lists of every receiver.
 */
function syslogListeners(cfg: OssecConfig, env: NodeJS.ProcessEnv, home: string): SyslogListen[] {
  const out: SyslogListen[] = [];
  if (env.PORTCULLIS_SYSLOG !== undefined) {
    for (const item of env.PORTCULLIS_SYSLOG.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(udp|tcp):(.+)$/i.exec(item);
      if (!m) throw new ConfigError(`PORTCULLIS_SYSLOG item "${item}" must be udp:HOST:PORT or tcp:HOST:PORT`);
      out.push({ protocol: m[1]!.toLowerCase() as 'udp' | 'tcp', ...parseListen(m[2]!, 'syslog address'), allowedIps: [], deniedIps: [] });
    }
  } else {
    for (const sec of cfg.portcullisElements) for (const el of sec.children) if (el.name === 'syslog') out.push(syslogElement(el, home));
    for (const r of cfg.remoteSyslog) {
      const host = r.localIp ?? (r.ipv6 ? '::' : '0.0.0.0');
      for (const protocol of r.protocols) out.push({ protocol, host, port: r.port, allowedIps: [...r.allowedIps], deniedIps: [...r.deniedIps] });
    }
  }
  const allowed = envIpList(env, 'PORTCULLIS_SYSLOG_ALLOWED_IPS');
  const denied = envIpList(env, 'PORTCULLIS_SYSLOG_DENIED_IPS');
  for (const s of out) {
    if (allowed) s.allowedIps = allowed;
    if (denied) s.deniedIps = denied;
  }
  return out;
}

function envIpList(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    try {
      parseIpRange(item);
    } catch (err) {
      if (err instanceof IpRangeError) throw new ConfigError(`${name} item ${err.message}`);
      throw err;
    }
    return item;
  });
}

const SYSLOG_CHILDREN = 'listen, allowed-ips, denied-ips, max_connections, max_connections_per_sender, idle_timeout, first_byte_timeout, cert, key, client_ca';

function syslogElement(el: XmlElement, home: string): SyslogListen {
  const protocol = (attrCI(el, 'protocol')?.value ?? 'udp').toLowerCase();
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') elementError(el, `<syslog protocol="${protocol}">: protocol must be udp, tcp or tls`);
  let listen: XmlElement | null = el.text.trim() === '' ? null : el;
  const limits: Partial<SyslogListen> = {};
  const allowedIps: string[] = [];
  const deniedIps: string[] = [];
  const tcpOnly = (c: XmlElement): void => {
    if (protocol === 'udp') elementError(c, `<${c.name}> is for <syslog protocol="tcp"> only (and "tls")`);
  };
  const tlsFiles: Partial<Record<keyof SyslogTlsFiles, PemFile>> = {};
  const tlsFile = (c: XmlElement, key: keyof SyslogTlsFiles): void => {
    if (protocol !== 'tls') elementError(c, `<${c.name}> is for <syslog protocol="tls"> only`);
    const v = c.text.trim();
    if (v === '') elementError(c, `<${c.name}> needs the path of a PEM file`);
    tlsFiles[key] = { path: resolve(home, v), el: c };
  };
  const count = (c: XmlElement): number => {
    const v = c.text.trim();
    if (!/^\d+$/.test(v) || Number(v) < 1) elementError(c, `<${c.name}> must be a whole number ≥ 1, not "${v}"`);
    return Number(v);
  };
  const seconds = (c: XmlElement): number => {
    const v = c.text.trim();
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) elementError(c, `<${c.name}> must be a number of seconds > 0, not "${v}"`);
    return Math.round(Number(v) * 1000);
  };
  for (const c of el.children) {
    switch (c.name) {
      case 'listen':
        if (listen) elementError(c, '<syslog> takes its address once: as its text or in one <listen>');
        listen = c;
        break;
      case 'allowed-ips': allowedIps.push(ipEntry(c)); break;
      case 'denied-ips': deniedIps.push(ipEntry(c)); break;
      case 'max_connections': tcpOnly(c); limits.maxConnections = count(c); break;
      case 'max_connections_per_sender': tcpOnly(c); limits.maxConnectionsPerSender = count(c); break;
      case 'idle_timeout': tcpOnly(c); limits.idleTimeoutMs = seconds(c); break;
      case 'first_byte_timeout': tcpOnly(c); limits.firstByteTimeoutMs = seconds(c); break;
      case 'cert': tlsFile(c, 'cert'); break;
      case 'key': tlsFile(c, 'key'); break;
      case 'client_ca': tlsFile(c, 'clientCa'); break;
      default: elementError(c, `unknown element <${c.name}> in <syslog> (known: ${SYSLOG_CHILDREN})`);
    }
  }
  if (!listen) elementError(el, '<syslog> needs its address, HOST:PORT, as its text or in <listen>');
  if (protocol === 'tls') {
    const missing = (['cert', 'key', 'client_ca'] as const).filter((n) => tlsFiles[n === 'client_ca' ? 'clientCa' : n] === undefined);
    if (missing.length > 0) elementError(el, `<syslog protocol="tls"> needs ${missing.map((n) => `<${n}>`).join(', ')} (PEM files: the server's certificate and key, and the CA that signs the hosts' client certificates)`);
    const { cert, key, clientCa } = tlsFiles as Record<keyof SyslogTlsFiles, PemFile>;
    // Checked now, not only when the listener starts: check-config and a start name the bad file.
    readPems('<syslog protocol="tls">', cert, key, clientCa);
    limits.tls = { cert: cert.path, key: key.path, clientCa: clientCa.path };
  }
  try {
    return { protocol, ...parseListen(listen.text, 'syslog address'), allowedIps, deniedIps, ...limits };
  } catch (err) {
    elementError(listen, (err as Error).message);
  }
}

/** The config's syslog receivers as written (no environment), checked as a start would: for check-config. */
export function syslogListenersOf(cfg: OssecConfig, home: string): SyslogListen[] {
  return syslogListeners(cfg, {}, home);
}

/** `PORTCULLIS_CONFIG`, for the commands (logtest, replay, check-config) that take the config from there too. */
export function configFromEnvironment(): string | undefined {
  return process.env.PORTCULLIS_CONFIG || undefined;
}

/** The environment active-response scripts run with: this process's (PATH, PORTCULLIS_FW_BACKEND, …). */
export function scriptEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
