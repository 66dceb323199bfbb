// POST /upload: systemd-journal-upload's protocol (Content-Type application/vnd.fdo.journal,
// chunked, Expect: 100-continue, Journal Export Format). The sender is a registered host: its
// client certificate (HTTPS with <tls><client_ca>) or its ingest token as a Bearer header. Entries
// become lines as the journald source makes them (and the same trust rule: an entry naming sshd
// must come from sshd by the fields journald sets itself), read as they stream in and committed in
// batches, each with the host's last cursor per journal (`source_cursors`, id
// `upload:<host>:<seqnum id>`) in the same transaction. journal-upload keeps its own cursor until
// it gets a 2xx and then resends from it, so an entry at or before the stored cursor of its journal
// is a resend and is skipped: each entry is stored once.
import type { FastifyPluginAsync } from 'fastify';
import type { Readable } from 'node:stream';
import { ForbiddenError, BadRequestError } from '../../errors.js';
import {
  JournalExportError,
  JournalExportParser,
  JournalTrust,
  cursorTaken,
  journalCursorPosition,
  hostLocation,
  journalEntryToLine,
  journalIdentifier,
  type CursorStore,
  type RawLine,
} from '../../sources/index.js';
import { sqlCursorStore } from '../sources/sources.repository.js';
import { HttpReceiver, countRefusal } from './ingest-status.js';

export const JOURNAL_CONTENT_TYPE = 'application/vnd.fdo.journal';
/** Entries committed per transaction while a body streams in. */
const BATCH_ENTRIES = 2000;

const journalUploadRoutes: FastifyPluginAsync = async (app) => {
  const receiver = new HttpReceiver('journal-upload', 'journal-upload', 'POST /upload');
  // Listed with the sources once hosts are registered or it has taken or refused anything.
  app.sources.report(() => (receiver.active() || app.hosts.count() > 0 ? receiver.status() : null));
  const trust = new JournalTrust({ identifiers: app.config.journaldIdentifiers, uids: app.config.journaldTrustedUids });

  // The body is read by the handler as it arrives, never buffered whole.
  app.addContentTypeParser(JOURNAL_CONTENT_TYPE, (_request, payload, done) => done(null, payload));

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/upload') countRefusal(app.db, receiver, request, reply.statusCode);
  });

  app.post('/upload', { config: { access: 'ingest' } }, async (request, reply) => {
    const host = request.principal!.host;
    if (!host) throw new ForbiddenError('journal uploads need a registered host: its client certificate or its ingest token (portcullis host add)');
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== JOURNAL_CONTENT_TYPE) throw new BadRequestError(`Content-Type must be ${JOURNAL_CONTENT_TYPE}`, 'VALIDATION');
    /** The last cursor stored per journal (seqnum id) of this host, read once per request. */
    const cursors = new Map<string, CursorStore>();
    const storeOf = (cursor: string): CursorStore => {
      const id = `upload:${host}:${journalCursorPosition(cursor)?.seqnumId ?? '-'}`;
      let store = cursors.get(id);
      if (!store) cursors.set(id, (store = sqlCursorStore(app.db, id)));
      return store;
    };
    const location = hostLocation(host, request.ip, 'journald');
    const parser = new JournalExportParser();
    let pending: Array<{ fields: Record<string, string>; oversized: string | null }> = [];
    const counts = { stored: 0, duplicates: 0, dropped: 0 };

    /** Commits what was read so far, with the host's cursor, in one transaction. */
    const commit = (): void => {
      if (pending.length === 0) return;
      const entries = pending;
      pending = [];
      // Revoking a host stops a long upload at its next batch, not at its end.
      if (app.hosts.byName(host)?.revoked_at !== null) {
        receiver.refusals.add('revoked-host', `${host}@${request.ip}`);
        app.hosts.recordRefusedLines(host, entries.length);
        throw new ForbiddenError(`host ${host} was revoked`);
      }
      const receivedAt = Date.now();
      const done = { stored: 0, duplicates: 0, dropped: 0 };
      app.pipeline.atomic(() => {
        const last = new Map<CursorStore, string>();
        const lines: RawLine[] = [];
        for (const { fields, oversized } of entries) {
          const cursor = fields.__CURSOR;
          if (cursor !== undefined) {
            const store = storeOf(cursor);
            if (cursorTaken(cursor, last.get(store) ?? store.get())) {
              done.duplicates++;
              continue;
            }
            last.set(store, cursor);
          }
          const forged = oversized === null ? trust.check(fields, journalIdentifier(fields)) : null;
          const line = oversized === null && forged === null ? journalEntryToLine(fields) : null;
          if (oversized !== null) receiver.dropped.add(oversized);
          else if (forged !== null) receiver.dropped.add('untrusted-identifier');
          if (forged !== null) receiver.refusals.add('untrusted-identifier', `${host}: ${forged}`);
          if (line === null) done.dropped++;
          else lines.push({ line, location, receivedAt, host });
        }
        if (lines.length > 0) app.pipeline.sink(lines);
        for (const [store, cursor] of last) store.set(cursor);
        if (done.dropped > 0) app.hosts.recordRefusedLines(host, done.dropped);
        done.stored = lines.length;
      });
      counts.stored += done.stored;
      counts.duplicates += done.duplicates;
      counts.dropped += done.dropped;
      receiver.linesRead += done.stored;
    };

    try {
      for await (const chunk of request.body as Readable) {
        pending.push(...parser.push(chunk as Buffer));
        if (pending.length >= BATCH_ENTRIES) commit();
      }
      pending.push(...parser.end());
    } catch (err) {
      if (err instanceof JournalExportError) throw new BadRequestError(err.message, 'VALIDATION');
      throw err;
    }
    commit();
    // journal-remote answers 202 too; journal-upload takes any 2xx as "stored, move the cursor on".
    return reply.code(202).send({ ...counts });
  });
};

export default journalUploadRoutes;
