// Loading, empty and error states, the same on every page.
import type { ReactNode } from 'react';
import { ApiError } from '@/lib/api-client';
import { Button } from './button';
import { IconInbox, IconPlug, IconWarning } from './icons';

export function Loading({ label = 'Loading…', rows }: { label?: string; rows?: number }) {
  if (rows)
    return (
      <div aria-busy="true" aria-label={label} style={{ padding: '12px 16px', display: 'flex', flexDirection: 'column', gap: 14 }}>
        {Array.from({ length: rows }, (_, i) => (
          <div key={i} className="skeleton" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
        ))}
      </div>
    );
  return (
    <div className="state" role="status" aria-live="polite">
      <div className="spinner" />
      <p>{label}</p>
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state">
      <div className="icon">
        <IconInbox />
      </div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  const missing = api?.missing ?? false;
  const offline = api?.code === 'NETWORK';
  const heading = title ?? (missing ? 'Not available on this server yet' : offline ? 'The server cannot be reached' : api?.status === 403 ? 'Your role does not allow this' : 'Something went wrong');
  const text = missing
    ? `This Portcullis server does not provide this part of the API (${api?.message.replace(/^no route /, '')}). Update the server to use this page.`
    : offline
      ? 'Portcullis did not answer. Check that the server is running; this page retries when you ask it to.'
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="state error" role="alert">
      <div className="icon">{missing || offline ? <IconPlug /> : <IconWarning />}</div>
      <h3>{heading}</h3>
      <p>{text}</p>
      {api && <span className="code">{api.status ? `HTTP ${api.status} · ` : ''}{api.code}</span>}
      {onRetry && !missing && (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/** The usual three-way switch for a query: loading, error, empty, else the content. */
export function QueryView<T>({
  query,
  empty,
  isEmpty,
  loading,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  loading?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <>{loading ?? <Loading />}</>;
  if (query.error || query.data === undefined) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (empty !== undefined && isEmpty?.(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}
