import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** A page that failed to render or load: say so plainly, offer a way back. */
export function RouteError() {
  const err = useRouteError();
  const text = isRouteErrorResponse(err) ? `${err.status} ${err.statusText}` : err instanceof Error ? err.message : String(err);
  const chunk = /dynamically imported module|Failed to fetch/i.test(text);
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="state error" role="alert">
          <h3>{chunk ? 'The dashboard was updated' : 'This page failed'}</h3>
          <p>{chunk ? 'Reload to get the new version.' : text}</p>
          <div className="row">
            <button type="button" className="btn" onClick={() => window.location.reload()}>
              Reload
            </button>
            <Link className="btn" to="/">
              Overview
            </Link>
          </div>
        </div>
      </div>
    </div>
  );
}
