// The UDP syslog receiver: one datagram is one message. Datagrams from senders that may not send
// are counted (per reason, with the last few addresses) and dropped before any parsing.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SyslogListener, type SyslogListenerOptions } from './syslog-listener.js';

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
    if (!this.admit(sender)) return;
    if (msg.length > this.maxFrameBytes) {
      this.truncated++;
      msg = msg.subarray(0, this.maxFrameBytes);
    }
    this.#pending.push({ frame: msg, sender });
    if (this.#pending.length >= 1000) this.#flush(); // ~10–15 ms of engine and inserts: a flood stays many short tasks
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
