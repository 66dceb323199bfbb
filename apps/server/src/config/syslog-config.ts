// Syslog receivers: <syslog protocol="udp|tcp|tls">, OSSEC's <remote><connection>syslog</connection>,
// and PORTCULLIS_SYSLOG (the environment is handed in by server-config.ts, the only reader of it).
import { resolve } from 'node:path';
import { attrCI, type XmlElement } from '@portcullis/engine';
import { IpRangeError, parseIpRange } from '../sources/sender-filter.js';
import { ConfigError, elementError, parseListen, type ListenAddress } from './config-values.js';
import { ipEntry, type OssecConfig } from './ossec-config.js';
import { readPems, type PemFile, type SyslogTlsFiles } from './tls-config.js';

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

/**
 * Syslog receivers, repeatable: `<syslog protocol="udp|tcp|tls">HOST:PORT</syslog>`, or the same with
 * children `<listen>HOST:PORT</listen>`, `<allowed-ips>`, `<denied-ips>` and the TCP limits (tls
 * also `<cert>`, `<key>`, `<client_ca>`); and
 * OSSEC's `<remote><connection>syslog</connection>…</remote>`. Env `PORTCULLIS_SYSLOG=udp:HOST:PORT,tcp:…`
 * replaces them all; `PORTCULLIS_SYSLOG_ALLOWED_IPS` / `PORTCULLIS_SYSLOG_DENIED_IPS` (comma-separated)
 * replace the lists of every receiver.
 */
export function syslogListeners(cfg: OssecConfig, env: NodeJS.ProcessEnv, home: string): SyslogListen[] {
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
