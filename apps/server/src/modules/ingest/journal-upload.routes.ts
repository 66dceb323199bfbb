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
  journalCursorPosition,
  hostLocation,
  journalEntryToLine,
  journalIdentifier,
} from '../../sources/index.js';
import type { JournalItem } from '../../pipeline/ingest-protocol.js';
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
    /** The source_cursors row of a journal (seqnum id) of this host. */
    const storeOf = (cursor: string): string => `upload:${host}:${journalCursorPosition(cursor)?.seqnumId ?? '-'}`;
    const location = hostLocation(host, request.ip, 'journald');
    const parser = new JournalExportParser();
    let pending: Array<{ fields: Record<string, string>; oversized: string | null }> = [];
    const counts = { stored: 0, duplicates: 0, dropped: 0 };

    /**
     * Commits what was read so far, with the host's cursor per journal, in one transaction of the
     * ingest thread; entries at or before a stored cursor are resends and skipped there.
     */
    const commit = async (): Promise<void> => {
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
      const why: Array<{ oversized: string | null; forged: string | null }> = [];
      const items: JournalItem[] = entries.map(({ fields, oversized }) => {
        const cursor = fields.__CURSOR ?? null;
        const forged = oversized === null ? trust.check(fields, journalIdentifier(fields)) : null;
        const line = oversized === null && forged === null ? journalEntryToLine(fields) : null;
        why.push({ oversized, forged });
        return { line: line === null ? null : { line, location, receivedAt, host }, cursor, store: cursor === null ? null : storeOf(cursor) };
      });
      const done = await app.pipeline.journal(items);
      // What was turned away is counted only when it was not a resend.
      for (const i of done.dropped) {
        const { oversized, forged } = why[i]!;
        if (oversized !== null) receiver.dropped.add(oversized);
        else if (forged !== null) receiver.dropped.add('untrusted-identifier');
        if (forged !== null) receiver.refusals.add('untrusted-identifier', `${host}: ${forged}`);
      }
      if (done.dropped.length > 0) app.hosts.recordRefusedLines(host, done.dropped.length);
      counts.stored += done.stored;
      counts.duplicates += done.duplicates;
      counts.dropped += done.dropped.length;
      receiver.linesRead += done.stored;
    };

    try {
      for await (const chunk of request.body as Readable) {
        pending.push(...parser.push(chunk as Buffer));
        if (pending.length >= BATCH_ENTRIES) await commit();
      }
      pending.push(...parser.end());
    } catch (err) {
      if (err instanceof JournalExportError) throw new BadRequestError(err.message, 'VALIDATION');
      throw err;
    }
    await commit();
    // journal-remote answers 202 too; journal-upload takes any 2xx as "stored, move the cursor on".
    return reply.code(202).send({ ...counts });
  });
};

export default journalUploadRoutes;
