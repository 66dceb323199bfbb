// Which sources a config asks for, running them, and reporting them: files from <localfile>,
// journald (sshd by default where there is no auth log file), syslog listeners. A failing source
// retries by itself; this service logs each change into and out of `failed`, and what sources turn
// away (refused senders, evicted connections, dropped lines), at most once per DROP_LOG_MS each.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SourceInfo } from '@portcullis/shared';
import type { Db } from '../../db/database.js';
import type { ServerConfig } from '../../config/server-config.js';
import type { SourcesReport } from '../../pipeline/ingest-protocol.js';
import {
  FilePatternSource,
  JournaldSource,
  SyslogTcpSource,
  SyslogUdpSource,
  type Atomic,
  type LineSink,
  type Source,
  type SourceStatus,
  type SyslogStatus,
} from '../../sources/index.js';
import { iso } from '../alerts/alerts.repository.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import { checkHost, hostOfSocket } from '../hosts/tls-identity.js';
import { sqlCursorStore, sqlPositionStore } from './sources.repository.js';

export interface SourcesLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Log formats read line by line from files; others (command, eventchannel…) are not supported. */
export const FILE_FORMATS = new Set(['syslog', 'snort-full', 'snort-fast', 'squid', 'apache', 'iis', 'nmapg', 'mysql_log', 'postgresql_log', 'djb-multilog', 'multi-line', 'json', 'audit']);

/** A source's drops are logged at most this often (a flood gives one line per interval, not one per connection). */
const DROP_LOG_MS = 10_000;
/** Closes that are routine (quiet clients time out) are counted and shown, not logged. */
const ROUTINE_CLOSES = new Set(['idle-timeout', 'first-byte-timeout']);

function hasJournal(): boolean {
  return existsSync('/run/systemd/journal') || existsSync('/var/log/journal');
}

export class SourcesService {
  readonly sources: Source[] = [];
  /** Config entries that could not become a source, reported as failed sources. */
  readonly #skipped: SourceStatus[] = [];
  /** Receivers that live elsewhere (the HTTP ones), reported with the sources while they say so. */
  readonly #reported: Array<() => SourceStatus | null> = [];
  readonly #log: SourcesLogger;
  readonly #lastState = new Map<string, string>();
  /** Per source: the drop counts last logged, and when. */
  readonly #lastDrops = new Map<string, { counts: Record<string, number>; at: number }>();
  #monitor: NodeJS.Timeout | null = null;
  /** Sources run by the ingest thread, as it last reported them. */
  #remote: () => SourcesReport | null = () => null;

  /**
   * `hosts`: the registered hosts, who may send over `<syslog protocol="tls">`. `only`: the sources
   * that keep a position (files, journald: run by the ingest thread, beside the pipeline they commit
   * with) or the network receivers (run on the event loop, handing their lines over); default both.
   */
  constructor(config: ServerConfig, db: Db, pipeline: { sink: LineSink; atomic: Atomic }, log: SourcesLogger, hosts?: HostsRepository, only?: 'positioned' | 'network') {
    this.#log = log;
    const positions = sqlPositionStore(db);
    const { sink, atomic } = pipeline;
    let journaldFromConfig = false;
    for (const lf of only === 'network' ? [] : config.cfg.localfiles) {
      if (lf.logFormat === 'journald' || lf.location === 'journald') {
        journaldFromConfig = true;
        this.sources.push(new JournaldSource({
          sink, atomic, id: 'journald', cursor: sqlCursorStore(db, 'journald'),
          guardedIdentifiers: config.journaldIdentifiers, trustedUids: config.journaldTrustedUids,
        }));
      } else if (FILE_FORMATS.has(lf.logFormat)) {
        const pattern = resolve(config.home, lf.location);
        this.sources.push(new FilePatternSource({ pattern, sink, atomic, positions, id: `file:${pattern}`, ...(lf.alias ? { location: lf.alias } : {}) }));
      } else {
        this.#skipped.push({
          id: `${lf.logFormat}:${lf.location}`, kind: 'file', target: lf.location, state: 'failed', linesRead: 0,
          lastError: `log_format ${lf.logFormat} is not supported`, lastErrorAt: Date.now(),
        });
      }
    }
    // journald "auto": only where the journal exists and no configured auth log file does, so a
    // system that writes both (rsyslog beside journald) is not read twice.
    const anyFile = config.cfg.localfiles.some((lf) => FILE_FORMATS.has(lf.logFormat) && existsSync(resolve(config.home, lf.location)));
    const journald = only !== 'network' && (config.journald === 'yes' || (config.journald === 'auto' && hasJournal() && !anyFile));
    if (journald && !journaldFromConfig) {
      for (const identifier of config.journaldIdentifiers) {
        const id = `journald:${identifier}`;
        this.sources.push(new JournaldSource({ sink, atomic, identifier, id, cursor: sqlCursorStore(db, id), trustedUids: config.journaldTrustedUids }));
      }
    }
    for (const s of only === 'positioned' ? [] : config.syslog) {
      // TLS: the client certificate is the credential, so any address may connect unless the
      // config narrows it with <allowed-ips>.
      const allowedIps = s.protocol === 'tls' && s.allowedIps.length === 0 ? ['any'] : s.allowedIps;
      const options = {
        sink, host: s.host, port: s.port, id: `syslog-${s.protocol}:${s.host}:${s.port}`, allowedIps, deniedIps: s.deniedIps,
        ...(s.maxConnections ? { maxConnections: s.maxConnections } : {}),
        ...(s.maxConnectionsPerSender ? { maxConnectionsPerSender: s.maxConnectionsPerSender } : {}),
        ...(s.idleTimeoutMs ? { idleTimeoutMs: s.idleTimeoutMs } : {}),
        ...(s.firstByteTimeoutMs ? { firstByteTimeoutMs: s.firstByteTimeoutMs } : {}),
      };
      if (s.protocol === 'udp') this.sources.push(new SyslogUdpSource(options));
      else if (s.protocol === 'tcp') this.sources.push(new SyslogTcpSource(options));
      else if (!s.tls || !hosts) {
        this.#skipped.push({
          id: options.id, kind: 'syslog-tls', target: `${s.host}:${s.port}`, state: 'failed', linesRead: 0,
          lastError: 'syslog over TLS needs <cert>, <key>, <client_ca> and the registered hosts', lastErrorAt: Date.now(),
        });
      } else {
        this.sources.push(new SyslogTcpSource({
          ...options,
          tls: {
            certFile: s.tls.cert, keyFile: s.tls.key, clientCaFile: s.tls.clientCa,
            identify: (socket) => {
              const v = hostOfSocket(hosts, socket);
              return v.ok ? { host: v.host.name } : { refusal: v.reason };
            },
            recheck: (name) => {
              const v = checkHost(hosts, name);
              return v.ok ? null : v.reason;
            },
            refusedLines: (name, n) => hosts.recordRefusedLines(name, n),
          },
        }));
      }
    }
  }

  async start(): Promise<void> {
    for (const s of this.sources) {
      if (!(s instanceof SyslogUdpSource || s instanceof SyslogTcpSource)) continue;
      const st = s.status();
      if (s.filter.localOnly) this.#log.warn({ source: s.id, access: st.access }, `syslog ${st.target} accepts only local senders; add <allowed-ips> to the <syslog> element to accept other hosts`);
      else this.#log.info({ source: s.id, access: st.access }, `syslog ${st.target}: ${st.access}`);
    }
    await Promise.all(this.sources.map((s) => s.start()));
    this.#check();
    this.#monitor = setInterval(() => this.#check(), 2000);
    this.#monitor.unref();
  }

  async stop(): Promise<void> {
    if (this.#monitor) clearInterval(this.#monitor);
    this.#monitor = null;
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  #check(): void {
    for (const st of this.#local()) {
      const before = this.#lastState.get(st.id);
      this.#lastState.set(st.id, st.state);
      if (st.state === before) continue;
      if (st.state === 'failed') this.#log.warn({ source: st.id, error: st.lastError }, `source ${st.id} failed, retrying: ${st.lastError}`);
      else if (before === 'failed') this.#log.info({ source: st.id, state: st.state }, `source ${st.id} recovered`);
    }
    this.#logDrops();
  }

  /** One line per source and interval saying what was turned away since the last such line. */
  #logDrops(): void {
    const now = Date.now();
    for (const st of this.#local()) {
      const counts = dropCounts(st);
      const last = this.#lastDrops.get(st.id);
      if (last && now - last.at < DROP_LOG_MS) continue;
      const delta = Object.entries(counts).map(([k, n]) => [k, n - (last?.counts[k] ?? 0)] as const).filter(([, n]) => n > 0);
      if (delta.length === 0) continue;
      this.#lastDrops.set(st.id, { counts, at: now });
      const recent = (st.recentDrops ?? []).slice(0, 5).map((r) => `${r.from} (${r.reason}, ${r.count})`);
      this.#log.warn(
        { source: st.id, turnedAway: Object.fromEntries(delta), recent: st.recentDrops?.slice(0, 5) },
        `source ${st.id} turned away: ${delta.map(([k, n]) => `${n} ${k}`).join(', ')}${last ? ` in the last ${Math.round((now - last.at) / 1000)} s` : ''}${recent.length > 0 ? `; recent: ${recent.join(', ')}` : ''}`,
      );
    }
  }

  /** Reports a receiver that is not one of these sources (POST /api/ingest, /upload) with them; null: not now. */
  report(status: () => SourceStatus | null): void {
    this.#reported.push(status);
  }

  #reports(): SourceStatus[] {
    return this.#reported.map((r) => r()).filter((s): s is SourceStatus => s !== null);
  }

  /** Reports the sources the ingest thread runs (it logs their changes itself) with these. */
  remote(report: () => SourcesReport | null): void {
    this.#remote = report;
  }

  #local(): SourceStatus[] {
    return [...this.sources.map((s) => s.status()), ...this.#skipped, ...this.#reports()];
  }

  statuses(): SourceStatus[] {
    return [...(this.#remote()?.statuses ?? []), ...this.#local()];
  }

  list(): SourceInfo[] {
    return [...(this.#remote()?.infos ?? [])].concat(
      this.sources.map((s) => toInfo(s.status(), s instanceof FilePatternSource ? s.files() : undefined)),
      this.#skipped.map((s) => toInfo(s)),
      this.#reports().map((s) => toInfo(s)),
    );
  }
}

/** What a source turned away, as one flat map of `what (reason)` → count (routine closes left out). */
function dropCounts(st: SourceStatus): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(st.dropped ?? {})) out[`lines dropped (${k})`] = n;
  const sys = st as Partial<SyslogStatus>;
  for (const [k, n] of Object.entries(sys.refused ?? {})) out[`${st.kind === 'syslog-udp' ? 'datagrams' : st.kind === 'http-ingest' || st.kind === 'journal-upload' ? 'requests' : 'connections'} refused (${k})`] = n;
  for (const [k, n] of Object.entries(sys.closed ?? {})) if (!ROUTINE_CLOSES.has(k)) out[`connections closed (${k})`] = n;
  return out;
}

function toInfo(st: SourceStatus, files?: SourceStatus[]): SourceInfo {
  const sys = st as Partial<SyslogStatus>;
  return {
    id: st.id,
    kind: st.kind,
    target: st.target,
    state: st.state,
    lines_read: st.linesRead,
    last_error: st.lastError,
    last_error_at: st.lastErrorAt === null ? null : iso(st.lastErrorAt),
    ...(files ? { files: files.map((f) => ({ path: f.target, state: f.state, lines_read: f.linesRead })) } : {}),
    ...(st.dropped ? { dropped: st.dropped } : {}),
    ...(st.recentDrops ? { recent_drops: st.recentDrops.map((r) => ({ from: r.from, reason: r.reason, count: r.count, last_at: iso(r.lastAt) })) } : {}),
    ...(sys.access !== undefined ? { access: sys.access } : {}),
    ...(sys.refused ? { refused: sys.refused } : {}),
    ...(sys.closed ? { closed: sys.closed } : {}),
    ...(sys.connections !== undefined ? { connections: sys.connections } : {}),
    ...(sys.truncated !== undefined ? { truncated: sys.truncated } : {}),
  };
}
