// POST /api/ingest: lines from agents and shippers, with an API token of scope `ingest` (or admin)
// or a registered host's ingest token (`pch_…`), whose lines then carry that host and OSSEC's
// agent location form, `(web1) 10.0.0.5->/var/log/auth.log`.
// `text/plain`: one event per line; `application/x-ndjson`: `{"line", "location"?}` per line;
// `application/json`: an array of those objects or of strings (Vector's and Fluent Bit's http
// sinks), or NDJSON sent as application/json. An object may give its line as `message` or `log`.
// Answered once the lines' alerts are committed. POST /upload (systemd-journal-upload) is in
// journal-upload.routes.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IngestQuery, IngestResult } from '@portcullis/shared';
import { BadRequestError, UnsupportedMediaTypeError } from '../../errors.js';
import { hostLocation, type RawLine } from '../../sources/index.js';
import { HttpReceiver, countRefusal } from './ingest-status.js';
import journalUploadRoutes from './journal-upload.routes.js';

const MAX_BODY = 16 * 1024 * 1024;
const MAX_LINE = 65_536;
const MAX_LOCATION = 1024;

function splitLines(body: string): string[] {
  return body.split(/\r?\n/).filter((l) => l.trim().length > 0);
}

/** One event of a JSON body: `{"line"|"message"|"log", "location"?}` or a string. */
function eventOf(value: unknown, where: string): { line: string; location: string | undefined } {
  if (typeof value === 'string') {
    if (value.length > MAX_LINE) throw new BadRequestError(`${where}: the line is over ${MAX_LINE} characters`, 'VALIDATION');
    return { line: value, location: undefined };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${where}: expected {"line": string, "location"?: string} or a string`, 'VALIDATION');
  }
  const o = value as Record<string, unknown>;
  const key = (['line', 'message', 'log'] as const).find((k) => o[k] !== undefined);
  const line = key ? o[key] : undefined;
  if (typeof line !== 'string') throw new BadRequestError(`${where}: expected {"line": string, "location"?: string} (or "message" or "log" for the line)`, 'VALIDATION');
  if (line.length > MAX_LINE) throw new BadRequestError(`${where}: "${key}" is over ${MAX_LINE} characters`, 'VALIDATION');
  const location = o.location;
  if (location !== undefined && (typeof location !== 'string' || location.length < 1 || location.length > MAX_LOCATION)) {
    throw new BadRequestError(`${where}: "location" must be a string of 1 to ${MAX_LOCATION} characters`, 'VALIDATION');
  }
  return { line: line.replace(/[\r\n]+$/, ''), location };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError(`${where} is not JSON`, 'VALIDATION');
  }
}

const ingestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const receiver = new HttpReceiver('http-ingest', 'http-ingest', 'POST /api/ingest');
  // Listed with the sources once hosts are registered or it has taken or refused anything.
  app.sources.report(() => (receiver.active() || app.hosts.count() > 0 ? receiver.status() : null));

  // Bodies arrive as text; each format is parsed below, line by line. JSON too (this plugin's own
  // parser), so a big array is parsed once and its errors name the event.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['text/plain', 'application/x-ndjson', 'application/json'], { parseAs: 'string', bodyLimit: MAX_BODY }, (_req, body, done) => done(null, body));
  // Any other type reaches the handler, whose 415 says which types are taken.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  // Refused ingest tokens (unknown, revoked) are counted with the sender, like syslog refusals.
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/api/ingest') countRefusal(app.db, receiver, request, reply.statusCode);
  });

  app.post('/api/ingest', {
    config: { access: 'ingest' },
    bodyLimit: MAX_BODY,
    schema: { querystring: IngestQuery, response: { 200: IngestResult, ...ErrorResponses } },
  }, async (request) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const body = typeof request.body === 'string' ? request.body : '';
    const receivedAt = Date.now();
    const principal = request.principal!;
    const host = principal.host;
    const fallback = request.query.location ?? (host ? 'http' : `http:${principal.name.replace(/^token:/, '')}`);
    const make = (line: string, location: string | undefined): RawLine => (host
      ? { line, location: hostLocation(host, request.ip, location ?? fallback), receivedAt, host }
      : { line, location: location ?? fallback, receivedAt });
    let lines: RawLine[];
    if (type === 'text/plain') {
      lines = splitLines(body).map((line) => make(line, undefined));
    } else if (type === 'application/x-ndjson' || (type === 'application/json' && !body.trimStart().startsWith('['))) {
      lines = splitLines(body).map((text, i) => {
        const e = eventOf(parseJson(text, `line ${i + 1}`), `line ${i + 1}`);
        return make(e.line, e.location);
      });
    } else if (type === 'application/json') {
      const value = parseJson(body, 'the body');
      if (!Array.isArray(value)) throw new BadRequestError('expected a JSON array of events', 'VALIDATION');
      lines = value.map((v, i) => {
        const e = eventOf(v, `event ${i + 1}`);
        return make(e.line, e.location);
      });
    } else {
      throw new UnsupportedMediaTypeError('send text/plain (one event per line), application/x-ndjson ({"line","location"} per line) or application/json (an array of those, or of strings)');
    }
    const summary = await app.pipeline.ingest(lines);
    receiver.linesRead += lines.length;
    return summary;
  });

  await app.register(journalUploadRoutes);
};

export default ingestRoutes;
