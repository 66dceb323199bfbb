// What the UDP and TCP syslog receivers share: state, retry with backoff, who may send, the
// counters of everything turned away, and batching into the sink.
import { normalizeSender, parseSyslog } from './syslog-parse.js';
import { SenderFilter } from './sender-filter.js';
import {
  Backoff,
  DropCounter,
  errorMessage,
  hostLocation,
  type BackoffOptions,
  type LineSink,
  type RawLine,
  type Source,
  type SourceState,
  type SourceStatus,
} from './source.js';

export function syslogLocation(sender: string): string {
  return `syslog:${normalizeSender(sender)}`;
}

/**
 * The location of a line from an authenticated host: OSSEC's agent form, `(web1) 10.0.0.5->syslog`,
 * so correlation (`same_location`) keeps hosts apart.
 */
export function hostSyslogLocation(host: string, sender: string): string {
  return hostLocation(host, sender, 'syslog');
}

export interface SyslogListenerOptions {
  sink: LineSink;
  /** Address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Port to bind; 0 picks a free one (see `port` once started). Default 514. */
  port?: number;
  /** OSSEC's <allowed-ips>: addresses or networks that may send. Empty: this host only. */
  allowedIps?: readonly string[];
  /** OSSEC's <denied-ips>: they win over allowedIps. */
  deniedIps?: readonly string[];
  /** This host's addresses for the local-only default; default: the interfaces'. */
  hostAddresses?: () => Iterable<string>;
  /** Longer messages are cut to this size and counted in `truncated`. Default 64 KiB. */
  maxFrameBytes?: number;
  maxBatchLines?: number;
  backoff?: BackoffOptions;
  id?: string;
}

export interface SyslogStatus extends SourceStatus {
  /** The bound port while listening, else null. */
  port: number | null;
  /** Messages cut to maxFrameBytes. */
  truncated: number;
  /** Open TCP connections (always 0 for UDP). */
  connections: number;
  /** Who may send, in words. */
  access: string;
  /** Senders turned away, by reason: TCP connections, UDP datagrams. */
  refused: Record<string, number>;
  /** TCP connections we closed, by reason (timeouts, eviction when full). */
  closed: Record<string, number>;
}

export abstract class SyslogListener implements Source {
  readonly id: string;
  readonly filter: SenderFilter;
  protected readonly host: string;
  protected readonly maxFrameBytes: number;
  protected truncated = 0;
  protected readonly refused = new DropCounter();
  protected readonly closed = new DropCounter(0);
  protected readonly dropped = new DropCounter(0);
  readonly #requestedPort: number;
  readonly #sink: LineSink;
  readonly #maxBatch: number;
  readonly #backoff: Backoff;
  #port: number | null = null;
  #state: SourceState = 'stopped';
  #stopped = true;
  #linesRead = 0;
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #retryTimer: NodeJS.Timeout | null = null;

  /** Throws IpRangeError on a bad allowed/denied entry. */
  constructor(readonly kind: 'syslog-udp' | 'syslog-tcp' | 'syslog-tls', options: SyslogListenerOptions) {
    this.host = options.host ?? '0.0.0.0';
    this.#requestedPort = options.port ?? 514;
    this.id = options.id ?? `${kind}:${this.host}:${this.#requestedPort}`;
    this.maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
    this.filter = new SenderFilter({
      allowed: options.allowedIps ?? [],
      denied: options.deniedIps ?? [],
      ...(options.hostAddresses ? { hostAddresses: options.hostAddresses } : {}),
    });
    this.#sink = options.sink;
    this.#maxBatch = options.maxBatchLines ?? 5000;
    this.#backoff = new Backoff(options.backoff);
  }

  /** The bound port while listening (useful with port 0), else null. */
  get port(): number | null {
    return this.#port;
  }

  protected abstract listen(port: number): Promise<number>;
  protected abstract close(): Promise<void>;
  protected abstract connections(): number;

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#state = 'starting';
    await this.#attempt();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    await this.close();
    this.#port = null;
    this.#state = 'stopped';
  }

  status(): SyslogStatus {
    return {
      id: this.id,
      kind: this.kind,
      target: `${this.host}:${this.#port ?? this.#requestedPort}`,
      state: this.#state,
      linesRead: this.#linesRead,
      lastError: this.#lastError,
      lastErrorAt: this.#lastErrorAt,
      dropped: this.dropped.snapshot(),
      recentDrops: this.refused.recent(),
      port: this.#port,
      truncated: this.truncated,
      connections: this.connections(),
      access: this.filter.describe(),
      refused: this.refused.snapshot(),
      closed: this.closed.snapshot(),
    };
  }

  /** Whether `sender` may send; a refusal is counted and remembered. */
  protected admit(sender: string): boolean {
    const refusal = this.filter.check(sender);
    if (refusal === null) return true;
    this.refused.add(refusal, normalizeSender(sender));
    return false;
  }

  async #attempt(): Promise<void> {
    try {
      this.#port = await this.listen(this.#requestedPort);
      if (this.#stopped) {
        await this.close();
        return;
      }
      this.#state = 'running';
      this.#backoff.reset();
    } catch (err) {
      await this.fail(err);
    }
  }

  /** Records the error, closes, and listens again after the backoff. */
  protected async fail(err: unknown): Promise<void> {
    this.#recordError(err);
    this.#state = 'failed';
    this.#port = null;
    await this.close().catch(() => undefined);
    if (this.#stopped || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) void this.#attempt();
    }, this.#backoff.next());
  }

  #recordError(err: unknown): void {
    this.#lastError = errorMessage(err);
    this.#lastErrorAt = Date.now();
  }

  /**
   * Parses messages and hands them on in batches. `host`: the registered host that authenticated
   * the sender (TLS); the lines carry it, and its location form, whatever HOSTNAME they claim.
   */
  protected deliver(messages: Array<{ frame: Buffer; sender: string }>, host?: string): void {
    const receivedAt = Date.now();
    const lines: RawLine[] = [];
    for (const { frame, sender } of messages) {
      const parsed = parseSyslog(frame, sender, receivedAt);
      if (!parsed) continue;
      if (host === undefined) lines.push({ line: parsed.line, location: syslogLocation(sender), receivedAt });
      else lines.push({ line: parsed.line, location: hostSyslogLocation(host, sender), receivedAt, host });
    }
    if (lines.length > 0) this.emit(lines);
  }

  protected emit(lines: RawLine[]): void {
    for (let i = 0; i < lines.length; i += this.#maxBatch) {
      const batch = lines.slice(i, i + this.#maxBatch);
      try {
        this.#sink(batch);
        this.#linesRead += batch.length;
      } catch (err) {
        // Syslog has no replay: the batch is lost (and counted), the listener goes on.
        this.#recordError(err);
        this.dropped.add('sink-error', undefined, batch.length);
      }
    }
  }
}
