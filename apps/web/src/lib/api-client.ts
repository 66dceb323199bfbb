// The one API client: JSON over fetch on the same origin, the session cookie, the CSRF header on
// every state-changing request, and one error type with the server's stable `code`.
import type { ErrorBody } from '@portcullis/shared';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
    /** The parsed body, for answers that carry more than an error (422 validation results). */
    readonly body: unknown = null,
  ) {
    super(message);
  }

  /** The server does not have this route (yet). */
  get missing(): boolean {
    return this.status === 404 && this.message.startsWith('no route');
  }
}

export type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Record<string, QueryValue>;

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** Set from the session answer; sent back as `X-CSRF-Token`. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401 (the session ended elsewhere or expired). */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

export function toQueryString(params: QueryParams | undefined): string {
  if (!params) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions {
  query?: QueryParams;
  body?: unknown;
  signal?: AbortSignal;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${path}${toQueryString(opts.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The Portcullis server cannot be reached.');
  }
  const type = res.headers.get('content-type') ?? '';
  let data: unknown = null;
  if (type.includes('json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  } else if (!res.ok) {
    await res.text().catch(() => '');
  }
  if (!res.ok) {
    const err = (data as Partial<ErrorBody> | null)?.error;
    if (res.status === 401 && path !== '/api/session') onUnauthenticated?.();
    const message = err?.message ?? (res.status >= 500 ? 'The server failed to answer.' : `${res.status} ${res.statusText}`);
    const code = err?.code ?? (res.status === 404 ? 'NOT_FOUND' : res.status >= 500 ? 'SERVER_ERROR' : `HTTP_${res.status}`);
    throw new ApiError(res.status, code, message, err?.details ?? [], data);
  }
  if (!type.includes('json') && res.status !== 204) throw new ApiError(res.status, 'NOT_JSON', `Expected JSON from ${path}; is this a Portcullis server?`);
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: QueryParams, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, { body }),
};

/** A sentence for an error, for toasts and inline messages. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
