// The TCP syslog receiver, hardened against being starved by idle connections: a cap per sender
// (an IPv4 address or an IPv6 /64), a short wait for the first byte, an idle timeout counted from
// the last complete message (so a trickle of bytes does not keep a connection), frames capped at
// maxFrameBytes (see syslog-framer.ts), and, when the global cap is reached, a newcomer evicts the
// least recently active connection of the sender holding the most, instead of being turned away.
// Every refusal and every close we decide is counted per reason in the status.
import { createServer, type Server, type Socket } from 'node:net';
import { senderGroup } from './sender-filter.js';
import { SyslogFramer } from './syslog-framer.js';
import { SyslogListener, type SyslogListenerOptions } from './syslog-listener.js';

export interface SyslogTcpOptions extends SyslogListenerOptions {
  /** A connection that completes no message for this long is closed. Default 30 s. */
  idleTimeoutMs?: number;
  /** A new connection that sends no byte for this long is closed. Default 10 s (at most idleTimeoutMs). */
  firstByteTimeoutMs?: number;
  /** Open connections at most; when full, a newcomer evicts as described above. Default 1000. */
  maxConnections?: number;
  /** Open connections per sender at most; more are refused. Default 16. */
  maxConnectionsPerSender?: number;
}

interface Conn {
  readonly socket: Socket;
  /** The peer address as the socket gives it (location and parsing normalise it). */
  readonly sender: string;
  /** What the per-sender cap counts by. */
  readonly group: string;
  readonly framer: SyslogFramer;
  /** When the last complete message arrived (the connection's opening before the first). */
  lastFrameAt: number;
  gotData: boolean;
  timer: NodeJS.Timeout | null;
  truncatedSeen: number;
  open: boolean;
}

export class SyslogTcpSource extends SyslogListener {
  readonly #idleTimeoutMs: number;
  readonly #firstByteTimeoutMs: number;
  readonly #maxConnections: number;
  readonly #maxPerSender: number;
  readonly #conns = new Set<Conn>();
  readonly #byGroup = new Map<string, Set<Conn>>();
  #server: Server | null = null;

  constructor(options: SyslogTcpOptions) {
    super('syslog-tcp', options);
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#firstByteTimeoutMs = Math.min(options.firstByteTimeoutMs ?? 10_000, this.#idleTimeoutMs);
    this.#maxConnections = Math.max(1, options.maxConnections ?? 1000);
    this.#maxPerSender = Math.max(1, options.maxConnectionsPerSender ?? 16);
  }

  protected async listen(port: number): Promise<number> {
    // No server.maxConnections: Node would drop the newcomers silently; #accept decides instead.
    const server = createServer((socket) => this.#accept(socket));
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
    for (const conn of [...this.#conns]) this.#close(conn, null);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected connections(): number {
    return this.#conns.size;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined); // a reset by the peer ends the connection, nothing more
    const sender = socket.remoteAddress;
    if (sender === undefined) {
      socket.destroy(); // already gone
      return;
    }
    if (!this.admit(sender)) {
      socket.destroy();
      return;
    }
    const group = senderGroup(sender);
    const mine = this.#byGroup.get(group);
    if (mine && mine.size >= this.#maxPerSender) {
      this.refused.add('sender-limit', group);
      socket.destroy();
      return;
    }
    if (this.#conns.size >= this.#maxConnections) this.#evict();

    const conn: Conn = {
      socket, sender, group, framer: new SyslogFramer(this.maxFrameBytes),
      lastFrameAt: Date.now(), gotData: false, timer: null, truncatedSeen: 0, open: true,
    };
    this.#conns.add(conn);
    if (mine) mine.add(conn);
    else this.#byGroup.set(group, new Set([conn]));
    conn.timer = setTimeout(() => this.#check(conn), this.#firstByteTimeoutMs);

    socket.on('data', (chunk: Buffer) => {
      if (!conn.open) return;
      if (!conn.gotData) {
        conn.gotData = true; // from now on the idle timeout applies, still counted from the opening
        if (conn.timer) clearTimeout(conn.timer);
        conn.timer = setTimeout(() => this.#check(conn), Math.max(0, conn.lastFrameAt + this.#idleTimeoutMs - Date.now()));
      }
      const frames = conn.framer.push(chunk);
      this.truncated += conn.framer.truncated - conn.truncatedSeen;
      conn.truncatedSeen = conn.framer.truncated;
      if (frames.length > 0) {
        conn.lastFrameAt = Date.now();
        this.deliver(frames.map((frame) => ({ frame, sender })));
      }
    });
    socket.on('end', () => this.#close(conn, null)); // the peer closed its side; we close ours
    socket.on('close', () => this.#close(conn, null));
  }

  /** The connection's timer: closes it if it is overdue, else waits for the rest. */
  #check(conn: Conn): void {
    conn.timer = null;
    if (!conn.open) return;
    if (!conn.gotData) {
      this.#close(conn, 'first-byte-timeout');
      return;
    }
    const due = conn.lastFrameAt + this.#idleTimeoutMs;
    const now = Date.now();
    if (now >= due) this.#close(conn, 'idle-timeout');
    else conn.timer = setTimeout(() => this.#check(conn), due - now);
  }

  /**
   * Full: the sender with the most connections (on a tie, the one whose least active connection is
   * the oldest) loses its least recently active one. A flood of idle connections from a few
   * addresses is what goes, not the next real client.
   */
  #evict(): void {
    let victim: Conn | null = null;
    let victimGroupSize = 0;
    for (const set of this.#byGroup.values()) {
      if (set.size < victimGroupSize) continue;
      let oldest: Conn | null = null;
      for (const c of set) if (!oldest || c.lastFrameAt < oldest.lastFrameAt) oldest = c;
      if (!oldest) continue;
      if (set.size > victimGroupSize || !victim || oldest.lastFrameAt < victim.lastFrameAt) {
        victim = oldest;
        victimGroupSize = set.size;
      }
    }
    if (victim) this.#close(victim, 'evicted');
  }

  /** Idempotent. `reason` null: the peer ended it or we are stopping (not counted). */
  #close(conn: Conn, reason: string | null): void {
    if (!conn.open) return;
    conn.open = false;
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = null;
    this.#conns.delete(conn);
    const set = this.#byGroup.get(conn.group);
    set?.delete(conn);
    if (set?.size === 0) this.#byGroup.delete(conn.group);
    if (reason !== null) this.closed.add(reason);
    // An unterminated last message still counts.
    const rest = conn.framer.end();
    if (rest.length > 0) this.deliver(rest.map((frame) => ({ frame, sender: conn.sender })));
    conn.socket.destroy();
  }
}
