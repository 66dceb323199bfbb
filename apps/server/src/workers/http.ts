// The HTTP side of routes that hand their work to a worker pool: a signal that aborts when the
// client goes away before the answer (the pool then terminates the thread), and a 413 that says
// the route's body limit instead of Fastify's bare "Request body is too large".
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError, PayloadTooLargeError } from '../errors.js';
import { JobAbortedError } from './worker-pool.js';

/** Aborts when the connection closes before the reply was sent. */
export function abortOnClose(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) ac.abort();
  });
  return ac.signal;
}

/** Nobody reads this answer (the socket is gone); it only ends the request without logging an error. */
class ClientClosedError extends DomainError {
  constructor() {
    super('CLIENT_CLOSED', 'the client closed the connection before the answer', 499);
  }
}

export function bytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

/**
 * For the routes of this (encapsulated) plugin: a body over the route's limit answers 413 with the
 * limit and `what` it is for; a job dropped because its client left ends quietly. Anything else
 * goes on to the app's error handler.
 */
export function workerRouteErrors(app: FastifyInstance, what: string): void {
  app.setErrorHandler((err: Error & { code?: string }, request) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0;
      throw new PayloadTooLargeError(`the request body is larger than ${bytes(limit)}, the limit of ${request.method} ${request.routeOptions.url ?? request.url} (${what})`, 'BODY_TOO_LARGE');
    }
    if (err instanceof JobAbortedError) throw new ClientClosedError();
    throw err;
  });
}
