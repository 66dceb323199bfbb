// The TCP syslog receiver, hardened against being starved by idle connections: a cap per sender
// (an IPv4 address or an IPv6 /64), a short wait for the first byte, an idle timeout counted from
// the last complete message (so a trickle of bytes does not keep a connection), frames capped at
// maxFrameBytes (see syslog-framer.ts), and, when the global cap is reached, a newcomer evicts the
// least recently active connection of the sender holding the most, instead of being turned away.
// Every refusal and every close we decide is counted per reason in the status.
// With `tls` it is the RFC 5425 receiver: the same limits apply to the raw connections, the TLS
// handshake must end (and the first message arrive) within the first-byte timeout, the client
// certificate names the sending host, and that host is asked again before each batch, so a
// revoked host's lines stop at once.
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
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
  /** Syslog over TLS (RFC 5425) with client certificates. */
  tls?: SyslogTlsOptions;
}

/** A sender's identity, or why it may not send (counted as a refusal under that reason). */
export type TlsPeerVerdict = { host: string } | { refusal: string };

export interface SyslogTlsOptions {
  /** PEM files, read at each (re)start of the listener. */
  certFile: string;
  keyFile: string;
  /** The CA that signs the client certificates. */
  clientCaFile: string;
  /** Who the peer of a finished handshake is (its verified certificate's registered host). */
  identify(socket: TLSSocket): TlsPeerVerdict;
  /** Asked before each batch of a connection's lines: null while `host` may still send, else why not. */
  recheck(host: string): string | null;
  /** Told of lines of `host` not taken (it was revoked while connected). */
  refusedLines?(host: string, lines: number): void;
}

interface Conn {
  readonly socket: Socket;
  /** The peer address as the socket gives it (location and parsing normalise it). */
  readonly sender: string;
  /** What the per-sender cap counts by. */
  readonly group: string;
  /** `address|port`, taken at accept (a destroyed socket forgets its address). */
  readonly key: string;
  readonly framer: SyslogFramer;
  /** TLS: the host its certificate names, once the handshake is done and the host accepted. */
  host: string | null;
  /** TLS: the encrypted stream over `socket`. */
  stream: TLSSocket | null;
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
  readonly #tls: SyslogTlsOptions | null;
  #tlsServer: TlsServer | null = null;
  /** TLS connections in their handshake, by `address|port` (the raw and TLS sockets share it). */
  readonly #handshaking = new Map<string, Conn>();

  constructor(options: SyslogTcpOptions) {
    super(options.tls ? 'syslog-tls' : 'syslog-tcp', options);
    this.#tls = options.tls ?? null;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#firstByteTimeoutMs = Math.min(options.firstByteTimeoutMs ?? 10_000, this.#idleTimeoutMs);
    this.#maxConnections = Math.max(1, options.maxConnections ?? 1000);
    this.#maxPerSender = Math.max(1, options.maxConnectionsPerSender ?? 16);
  }

  protected async listen(port: number): Promise<number> {
    if (this.#tls) this.#tlsServer = await this.#makeTlsServer(this.#tls);
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

  /** A TLS server that never listens: it only runs the handshakes of connections #accept let in. */
  async #makeTlsServer(tls: SyslogTlsOptions): Promise<TlsServer> {
    const read = async (file: string, what: string): Promise<Buffer> => {
      try {
        return await readFile(file);
      } catch (err) {
        throw new Error(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    };
    const [cert, key, ca] = [await read(tls.certFile, 'certificate'), await read(tls.keyFile, 'key'), await read(tls.clientCaFile, 'client CA')];
    // rejectUnauthorized false: the verdict is ours (identify), so a refusal is counted with its reason.
    const server = createTlsServer({ cert, key, ca, requestCert: true, rejectUnauthorized: false, handshakeTimeout: this.#firstByteTimeoutMs });
    server.on('secureConnection', (stream) => this.#secured(stream));
    server.on('tlsClientError', (err, stream) => {
      const conn = this.#handshaking.get(connKey(stream));
      if (!conn) return;
      this.#handshaking.delete(connKey(stream));
      this.refused.add('tls-handshake', conn.group);
      this.#close(conn, null);
    });
    return server;
  }

  /** TLS handshake done: let the certificate's host in, or refuse and count why. */
  #secured(stream: TLSSocket): void {
    stream.on('error', () => undefined);
    const conn = this.#handshaking.get(connKey(stream));
    this.#handshaking.delete(connKey(stream));
    if (!conn || !conn.open) {
      stream.destroy();
      return;
    }
    conn.stream = stream;
    const verdict = this.#tls!.identify(stream);
    if ('refusal' in verdict) {
      this.refused.add(verdict.refusal, conn.group);
      this.#close(conn, null);
      return;
    }
    conn.host = verdict.host;
    stream.on('data', (chunk: Buffer) => this.#data(conn, chunk));
    stream.on('end', () => this.#close(conn, null));
    stream.on('close', () => this.#close(conn, null));
  }

  protected async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#tlsServer = null;
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
      socket, sender, group, key: connKey(socket), framer: new SyslogFramer(this.maxFrameBytes), host: null, stream: null,
      lastFrameAt: Date.now(), gotData: false, timer: null, truncatedSeen: 0, open: true,
    };
    this.#conns.add(conn);
    if (mine) mine.add(conn);
    else this.#byGroup.set(group, new Set([conn]));
    conn.timer = setTimeout(() => this.#check(conn), this.#firstByteTimeoutMs);

    if (this.#tlsServer) {
      // The TLS server takes the socket over; #secured gets the decrypted stream. The first-byte
      // timer already runs: a handshake that never ends is closed like a silent connection.
      socket.on('close', () => this.#close(conn, null));
      this.#handshaking.set(conn.key, conn);
      this.#tlsServer.emit('connection', socket);
      return;
    }
    socket.on('data', (chunk: Buffer) => this.#data(conn, chunk));
    socket.on('end', () => this.#close(conn, null)); // the peer closed its side; we close ours
    socket.on('close', () => this.#close(conn, null));
  }

  #data(conn: Conn, chunk: Buffer): void {
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
      this.#deliverFrom(conn, frames);
    }
  }

  /** A TLS connection's frames go out only while its host may still send (revocation is immediate). */
  #deliverFrom(conn: Conn, frames: Buffer[]): void {
    if (this.#tls) {
      const refusal = conn.host === null ? 'no-host' : this.#tls.recheck(conn.host);
      if (refusal !== null) {
        this.dropped.add(refusal, undefined, frames.length);
        if (conn.host !== null) this.#tls.refusedLines?.(conn.host, frames.length);
        if (conn.open) {
          this.refused.add(refusal, conn.host ?? conn.group);
          this.#close(conn, null);
        }
        return;
      }
    }
    this.deliver(frames.map((frame) => ({ frame, sender: conn.sender })), conn.host ?? undefined);
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
    this.#handshaking.delete(conn.key);
    const set = this.#byGroup.get(conn.group);
    set?.delete(conn);
    if (set?.size === 0) this.#byGroup.delete(conn.group);
    if (reason !== null) this.closed.add(reason);
    // An unterminated last message still counts.
    const rest = conn.framer.end();
    if (rest.length > 0 && (!this.#tls || conn.host !== null)) this.#deliverFrom(conn, rest);
    conn.stream?.destroy();
    conn.socket.destroy();
  }
}

function connKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}
