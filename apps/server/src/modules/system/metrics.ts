// The Prometheus text for GET /metrics, from the pipeline's counters and the sources' status.
import type { FastifyInstance } from 'fastify';
import { counter, label } from '../../pipeline/metrics.js';
import type { SourceStatus, SyslogStatus } from '../../sources/index.js';

/** `[labels, value]` rows of one per-reason map of each source. */
function byReason(sources: SourceStatus[], pick: (s: SourceStatus) => Record<string, number> | undefined): Array<[string, number]> {
  return sources.flatMap((s) => Object.entries(pick(s) ?? {}).map(([reason, n]): [string, number] => [`source=${label(s.id)},reason=${label(reason)}`, n]));
}

export function renderMetrics(app: FastifyInstance): string {
  const m = app.metrics;
  const sources = app.sources.statuses();
  const syslog = sources.filter((s) => s.kind === 'syslog-udp' || s.kind === 'syslog-tcp' || s.kind === 'syslog-tls') as SyslogStatus[];
  const parts = [
    counter('portcullis_lines_read_total', 'Lines read, per source.', sources.map((s) => [`source=${label(s.id)}`, s.linesRead])),
    counter('portcullis_lines_processed_total', 'Lines that went through the engine.', [['', m.lines]]),
    counter('portcullis_events_total', 'Events the engine processed (repeated messages expanded).', [['', m.events]]),
    counter('portcullis_alerts_total', 'Alerts committed, by rule level.', [...m.alertsByLevel].sort((a, b) => a[0] - b[0]).map(([level, n]) => [`level="${level}"`, n])),
    counter('portcullis_failed_batches_total', 'Batches whose transaction failed (their source retries them).', [['', m.failedBatches]]),
    counter('portcullis_source_dropped_total', 'Lines a source turned away, by reason (journald: untrusted-identifier; syslog: sink-error).', byReason(sources, (s) => s.dropped)),
    counter('portcullis_syslog_refused_total', 'Syslog senders refused, by reason (not-allowed, denied, sender-limit; TLS: no-certificate, bad-certificate, unknown-host, revoked-host, tls-handshake): TCP connections, UDP datagrams.', byReason(syslog, (s) => (s as SyslogStatus).refused)),
    counter('portcullis_ingest_refused_total', 'HTTP ingest requests (/api/ingest, journal-upload) refused, by reason (unknown-token, revoked-host, unknown-host…).', byReason(sources.filter((s) => s.kind === 'http-ingest' || s.kind === 'journal-upload'), (s) => (s as Partial<SyslogStatus>).refused)),
    counter('portcullis_syslog_closed_total', 'Syslog TCP connections closed by the receiver, by reason (idle-timeout, first-byte-timeout, evicted).', byReason(syslog, (s) => (s as SyslogStatus).closed)),
    counter('portcullis_syslog_truncated_total', 'Syslog messages cut to the maximum size.', syslog.map((s) => [`source=${label(s.id)}`, s.truncated])),
    counter('portcullis_syslog_connections', 'Open syslog TCP connections.', syslog.filter((s) => s.kind !== 'syslog-udp').map((s) => [`source=${label(s.id)}`, s.connections]), 'gauge'),
    counter('portcullis_source_up', 'Whether each source is working (1) or failed (0).', sources.map((s) => [`source=${label(s.id)},state=${label(s.state)}`, s.state === 'failed' ? 0 : 1]), 'gauge'),
    counter('portcullis_queue_depth', 'Alerts waiting to be pushed to live clients.', [['', app.live.hub.depth()]], 'gauge'),
    counter('portcullis_live_clients', 'Connected live-feed clients.', [['', app.live.hub.size]], 'gauge'),
    counter('portcullis_live_alerts_sent_total', 'Alerts pushed to live clients.', [['', app.live.hub.sent]]),
    counter('portcullis_live_alerts_skipped_total', 'Alerts not pushed because a client was over its per-interval cap.', [['', app.live.hub.skipped]]),
    counter('portcullis_ingest_queued_lines', 'Lines handed to the ingest thread by the network receivers and /api/ingest and not processed yet (past 200000 they are refused).', [['', app.pipeline.queued()]], 'gauge'),
    counter('portcullis_ingest_lag_last_seconds', 'Reception to commit of the oldest line of the last batch.', [['', m.lastLagSeconds]], 'gauge'),
    m.ingestLag.render('portcullis_ingest_lag_seconds', 'Reception to commit, per batch.'),
    m.dbWrite.render('portcullis_db_write_seconds', 'Time of each alert-writing transaction.'),
    counter('portcullis_ingest_gc_seconds_total', 'Time the ingest thread (engine, alert inserts) was paused for garbage collection.', [['', m.gcSeconds]]),
    counter('portcullis_ruleset_ok', 'Whether the last ruleset reload succeeded.', [['', app.ruleset.status().ok ? 1 : 0]], 'gauge'),
    app.notifications.metrics(),
  ];
  return parts.join('');
}
