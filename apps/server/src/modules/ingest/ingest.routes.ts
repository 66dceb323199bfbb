// POST /api/ingest: lines from agents and shippers, with an API token of scope `ingest` (or admin).
// `text/plain`: one event per line; `application/x-ndjson`: `{"line", "location"?}` per line.
// Answered once the lines' alerts are committed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IngestEvent, IngestQuery, IngestResult } from '@portcullis/shared';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { BadRequestError, UnsupportedMediaTypeError } from '../../errors.js';
import type { RawLine } from '../../sources/index.js';

const eventCheck = TypeCompiler.Compile(IngestEvent);
const MAX_BODY = 16 * 1024 * 1024;

function splitLines(body: string): string[] {
  return body.split(/\r?\n/).filter((l) => l.length > 0);
}

const ingestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Bodies arrive as text; each format is parsed below, line by line.
  app.addContentTypeParser(['text/plain', 'application/x-ndjson'], { parseAs: 'string', bodyLimit: MAX_BODY }, (_req, body, done) => done(null, body));

  app.post('/api/ingest', {
    config: { access: 'ingest' },
    bodyLimit: MAX_BODY,
    schema: { querystring: IngestQuery, response: { 200: IngestResult, ...ErrorResponses } },
  }, async (request) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const body = typeof request.body === 'string' ? request.body : '';
    const receivedAt = Date.now();
    const fallback = request.query.location ?? `http:${request.principal!.name.replace(/^token:/, '')}`;
    let lines: RawLine[];
    if (type === 'text/plain') {
      lines = splitLines(body).map((line) => ({ line, location: fallback, receivedAt }));
    } else if (type === 'application/x-ndjson') {
      lines = splitLines(body).map((text, i) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new BadRequestError(`line ${i + 1} is not JSON`, 'VALIDATION');
        }
        if (!eventCheck.Check(value)) throw new BadRequestError(`line ${i + 1}: expected {"line": string, "location"?: string}`, 'VALIDATION');
        return { line: value.line, location: value.location ?? fallback, receivedAt };
      });
    } else {
      throw new UnsupportedMediaTypeError('send text/plain (one event per line) or application/x-ndjson ({"line","location"} per line)');
    }
    return app.pipeline.ingest(lines);
  });
};

export default ingestRoutes;
