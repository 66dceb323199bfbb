// socket.io on the same HTTP server, signed in with the same session cookie (or an API token in
// the handshake's `auth.token`), viewer role at least. Each client gets committed alerts in capped
// batches through the LiveHub, filtered as it asked with `filter`.
import { LiveFilter, type ClientToServerEvents, type ServerToClientEvents } from '@portcullis/shared';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import fp from 'fastify-plugin';
import { Server, type Socket } from 'socket.io';
import type { Principal } from '../modules/accounts/accounts.service.js';
import { LiveHub } from '../modules/live/live.hub.js';
import { allowed } from './auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    io: Server<ClientToServerEvents, ServerToClientEvents>;
    live: LiveService;
  }
}

interface SocketData {
  principal: Principal;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const filterCheck = TypeCompiler.Compile(LiveFilter);
/** A client whose socket has this many packets waiting is skipped for the interval. */
const MAX_WRITE_BUFFER = 32;

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export class LiveService {
  constructor(
    readonly hub: LiveHub,
    private readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>,
  ) {}

  #each(pred: (p: Principal) => boolean): void {
    for (const s of this.io.sockets.sockets.values()) if (pred(s.data.principal)) s.disconnect(true);
  }

  disconnectSession(sessionHash: string): void {
    this.#each((p) => p.sessionHash === sessionHash);
  }

  disconnectUser(userId: number): void {
    this.#each((p) => p.userId === userId);
  }
}

export default fp(
  async (app) => {
    const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(app.server, {
      serveClient: false,
      maxHttpBufferSize: 64 * 1024,
    });
    const hub = new LiveHub(app.config.live);
    const live = new LiveService(hub, io);
    app.decorate('io', io as unknown as Server<ClientToServerEvents, ServerToClientEvents>);
    app.decorate('live', live);
    // Publish comes before respond: the hub is the first consumer of committed alerts.
    app.pipeline.onPersisted(hub.consumer);

    io.use((socket, next) => {
      const token = typeof socket.handshake.auth?.token === 'string' ? (socket.handshake.auth.token as string) : undefined;
      const headers = socket.request.headers;
      const principal = app.principalFrom({ cookie: headers.cookie, authorization: headers.authorization }, token);
      if (!principal) return next(new Error('UNAUTHENTICATED'));
      if (!allowed(principal.role, 'viewer')) return next(new Error('FORBIDDEN'));
      // A cookie is sent by the browser whatever page opened the socket: only our own origin may use it.
      if (principal.kind === 'session' && headers.origin && originHost(headers.origin) !== headers.host) return next(new Error('FORBIDDEN_ORIGIN'));
      socket.data.principal = principal;
      next();
    });

    io.on('connection', (socket: LiveSocket) => {
      hub.add({
        id: socket.id,
        send: (batch) => {
          if (((socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0) > MAX_WRITE_BUFFER) return false;
          socket.emit('alerts', batch);
          return true;
        },
      });
      socket.emit('ruleset:status', app.ruleset.status());
      socket.on('filter', (filter: unknown) => {
        if (!filterCheck.Check(filter)) {
          socket.emit('error', { code: 'VALIDATION', message: [...filterCheck.Errors(filter)].map((e) => `${e.path} ${e.message}`).join('; ') });
          return;
        }
        const clean: LiveFilter = {};
        if (filter.level_min !== undefined) clean.level_min = filter.level_min;
        if (filter.rule_id !== undefined) clean.rule_id = filter.rule_id;
        if (filter.srcip !== undefined) clean.srcip = filter.srcip;
        if (filter.location !== undefined) clean.location = filter.location;
        hub.setFilter(socket.id, clean);
        socket.emit('filter:ok', clean);
      });
      socket.on('disconnect', () => hub.remove(socket.id));
    });

    app.ruleset.onStatus((status) => io.emit('ruleset:status', status));

    // Sessions end (sign-out elsewhere, expiry, a disabled user): re-check connected sockets.
    const recheck = setInterval(() => {
      for (const s of io.sockets.sockets.values()) {
        const p = s.data.principal;
        const gone = p.kind === 'session' ? !app.principalFrom({ cookie: s.request.headers.cookie }) : app.accounts.repo.tokenById(p.tokenId!)?.revoked_at !== null;
        if (gone) s.disconnect(true);
      }
    }, 60_000);
    recheck.unref();

    app.addHook('preClose', async () => {
      clearInterval(recheck);
      hub.close();
      io.disconnectSockets(true);
      // Not io.close(): that closes the HTTP server too, which is Fastify's to close.
      io.engine.close();
    });
  },
  { name: 'live', dependencies: ['config', 'pipeline', 'auth'] },
);
