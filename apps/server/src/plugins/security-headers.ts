// Browser-side defences on every response, the dashboard's and the API's: a Content-Security-Policy
// that lets the page run only its own scripts, no framing, no MIME sniffing, no Referer to other
// sites. Set at onRequest, so errors (401, 404, 429, 500) carry them too; callers must register this
// plugin before any route, since Fastify binds a route's hooks when the route is registered.
// (socket.io answers its own requests on the raw server and is not covered; it serves no HTML.)
import fp from 'fastify-plugin';

/**
 * `'unsafe-inline'` for styles only: CodeMirror (the rule editor) mounts its theme as a <style>
 * element, and React's style props are set through CSSOM, which CSP does not restrict anyway.
 * Scripts stay 'self': the built dashboard has no inline script. socket.io uses ws: or wss:.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export default fp(
  async (app) => {
    app.addHook('onRequest', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });
  },
  { name: 'security-headers' },
);
