// Syslog receivers for remote hosts (rsyslog, syslog-ng, network gear): one UDP and one TCP source.
// Each message becomes the classic line OSSEC's pre-decoder reads (see syslog-parse.ts), with
// location `syslog:<sender ip>` so remote lines are told apart from local files at a glance.
// (OSSEC's remoted uses the bare sender IP as location; rules keyed on that need the prefix.)

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { SyslogFramer } from './syslog-framer.js';
import { normalizeSender, parseSyslog } from './syslog-parse.js';
import {
  Backoff,
  errorMessage,
  type BackoffOptions,
  type LineSink,
  type RawLine,
  type Source,
  type SourceState,
  type SourceStatus,
} from './source.js';

export { parseSyslog, normalizeSender, type ParsedSyslog } from './syslog-parse.js';
export { SyslogFramer } from './syslog-framer.js';

export function syslogLocation(sender: string): string {
  return `syslog:${normalizeSender(sender)}`;
}

export interface SyslogListenerOptions {
  sink: LineSink;
  /** Address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Port to bind; 0 picks a free one (see `port` once started). Default 514. */
  port?: number;
  /** Longer messages are cut to this size and counted in `truncated`. Default 64 KiB. */
  maxFrameBytes?: number;
  maxBatchLines?: number;
  backoff?: BackoffOptions;
  id?: string;
}

export interface SyslogTcpOptions extends SyslogListenerOptions {
  /** A connection silent this long is closed. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** Connections beyond this many are refused. Default 1000. */
  maxConnections?: number;
}

export interface SyslogStatus extends SourceStatus {
  /** The bound port while listening, else null. */
  port: number | null;
  /** Messages cut to maxFrameBytes. */
  truncated: number;
  /** Open TCP connections (always 0 for UDP). */
  connections: number;
}

/** What UDP and TCP share: state, retry with backoff, batching into the sink. */
abstract class SyslogListener implements Source {
  readonly id: string;
  protected readonly host: string;
  protected readonly maxFrameBytes: number;
  protected truncated = 0;
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

  constructor(readonly kind: 'syslog-udp' | 'syslog-tcp', options: SyslogListenerOptions) {
    this.host = options.host ?? '0.0.0.0';
    this.#requestedPort = options.port ?? 514;
    this.id = options.id ?? `${kind}:${this.host}:${this.#requestedPort}`;
    this.maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
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
      port: this.#port,
      truncated: this.truncated,
      connections: this.connections(),
    };
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

  /** Parses messages and hands them on in batches. */
  protected deliver(messages: Array<{ frame: Buffer; sender: string }>): void {
    const receivedAt = Date.now();
    const lines: RawLine[] = [];
    for (const { frame, sender } of messages) {
      const parsed = parseSyslog(frame, sender, receivedAt);
      if (parsed) lines.push({ line: parsed.line, location: syslogLocation(sender), receivedAt });
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
        this.#recordError(err); // syslog has no replay: the batch is lost, the listener goes on
      }
    }
  }
}

export class SyslogUdpSource extends SyslogListener {
  #socket: UdpSocket | null = null;
  #pending: Array<{ frame: Buffer; sender: string }> = [];
  #flushScheduled = false;

  constructor(options: SyslogListenerOptions) {
    super('syslog-udp', options);
  }

  protected async listen(port: number): Promise<number> {
    const socket = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.bind({ port, address: this.host }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    socket.on('error', (err) => void this.fail(err));
    socket.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address));
    this.#socket = socket;
    return socket.address().port;
  }

  protected async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    this.#flush();
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  protected connections(): number {
    return 0;
  }

  // Datagrams arriving in one turn of the event loop go to the sink as one batch.
  #receive(msg: Buffer, sender: string): void {
    if (msg.length > this.maxFrameBytes) {
      this.truncated++;
      msg = msg.subarray(0, this.maxFrameBytes);
    }
    this.#pending.push({ frame: msg, sender });
    if (this.#pending.length >= 5000) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const messages = this.#pending;
    this.#pending = [];
    this.deliver(messages);
  }
}

export class SyslogTcpSource extends SyslogListener {
  readonly #idleTimeoutMs: number;
  readonly #maxConnections: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;

  constructor(options: SyslogTcpOptions) {
    super('syslog-tcp', options);
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
    this.#maxConnections = options.maxConnections ?? 1000;
  }

  protected async listen(port: number): Promise<number> {
    const server = createServer((socket) => this.#accept(socket));
    server.maxConnections = this.#maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: this.host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => void this.fail(err));
    this.#server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  protected async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected connections(): number {
    return this.#sockets.size;
  }

  #accept(socket: Socket): void {
    const sender = socket.remoteAddress ?? 'unknown';
    const framer = new SyslogFramer(this.maxFrameBytes);
    let counted = 0;
    let finished = false;
    const account = (): void => {
      this.truncated += framer.truncated - counted;
      counted = framer.truncated;
    };
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.deliver(framer.end().map((frame) => ({ frame, sender })));
    };
    this.#sockets.add(socket);
    socket.setTimeout(this.#idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      const frames = framer.push(chunk);
      account();
      if (frames.length > 0) this.deliver(frames.map((frame) => ({ frame, sender })));
    });
    socket.on('end', finish); // the peer closed its side; we close ours (allowHalfOpen is off)
    socket.on('timeout', () => {
      finish();
      socket.destroy();
    });
    socket.on('error', () => undefined); // a reset by the peer ends the connection, nothing more
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
