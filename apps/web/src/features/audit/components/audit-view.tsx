// The audit log: who did what, from where, to what, with the before and after. Filtered by action
// and actor (in the URL) and exported as CSV or JSON (every page of the current filter).
import type { AuditEntry } from '@portcullis/shared';
import { Fragment, useState } from 'react';
import { errorMessage } from '@/lib/api-client';
import { downloadText, toCsv } from '@/lib/download';
import { formatNumber } from '@/lib/format';
import { useUrlParams } from '@/lib/url-state';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { IconDownload, IconX } from '@/components/ui/icons';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useToast } from '@/components/ui/toast';
import { fetchAuditPage, useAudit, type AuditFilters } from '../api/audit';

const EXPORT_MAX = 100_000;

function short(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

export function AuditView() {
  const [p, set] = useUrlParams(['action', 'actor'] as const);
  const filters: AuditFilters = { ...(p.action ? { action: p.action } : {}), ...(p.actor ? { actor: p.actor } : {}) };
  const q = useAudit(filters);
  const [open, setOpen] = useState<number | null>(null);
  const [exporting, setExporting] = useState(false);
  const toast = useToast();
  const items = q.data?.pages.flatMap((pg) => pg.items) ?? [];

  const exportAs = async (kind: 'csv' | 'json') => {
    setExporting(true);
    try {
      const all: AuditEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetchAuditPage(filters, cursor, 1000);
        all.push(...page.items);
        cursor = page.next ?? undefined;
      } while (cursor && all.length < EXPORT_MAX);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      if (kind === 'json') downloadText(`portcullis-audit-${stamp}.json`, JSON.stringify(all, null, 2), 'application/json');
      else downloadText(`portcullis-audit-${stamp}.csv`, toCsv(all as unknown as Array<Record<string, unknown>>, ['id', 'time', 'actor', 'source_ip', 'action', 'target', 'before', 'after']), 'text/csv');
      toast(`Exported ${formatNumber(all.length)} entries.`);
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setExporting(false);
    }
  };

  return (
    <Card flush>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="au-action">Action</label>
          <input id="au-action" className="input sm mono" list="au-actions" defaultValue={p.action ?? ''} key={`a${p.action ?? ''}`} placeholder="block.release"
            onBlur={(e) => set({ action: e.target.value.trim() })} onKeyDown={(e) => e.key === 'Enter' && set({ action: e.currentTarget.value.trim() })} />
          <datalist id="au-actions">
            {[...new Set(items.map((i) => i.action))].map((a) => <option key={a} value={a} />)}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="au-actor">Who</label>
          <input id="au-actor" className="input sm" defaultValue={p.actor ?? ''} key={`u${p.actor ?? ''}`} placeholder="username"
            onBlur={(e) => set({ actor: e.target.value.trim() })} onKeyDown={(e) => e.key === 'Enter' && set({ actor: e.currentTarget.value.trim() })} />
        </div>
        {(p.action || p.actor) && <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => set(null)}>Clear</Button>}
        <span className="grow" />
        <Button size="sm" icon={<IconDownload />} busy={exporting} onClick={() => void exportAs('csv')}>Export CSV</Button>
        <Button size="sm" icon={<IconDownload />} disabled={exporting} onClick={() => void exportAs('json')}>Export JSON</Button>
      </form>
      {q.isPending ? <Loading rows={8} /> : q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : items.length === 0 ? (
        <Empty title={p.action || p.actor ? 'No entry matches' : 'Nothing audited yet'}>Sign-ins, blocks, releases, rule and user changes are recorded here.</Empty>
      ) : (
        <>
          <table className="table" aria-label="Audit log">
            <thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>Target</th><th>Change</th></tr></thead>
            <tbody>
              {items.map((e) => (
                <Fragment key={e.id}>
                  <tr data-testid="audit-row" data-action={e.action} onClick={() => setOpen(open === e.id ? null : e.id)} style={{ cursor: 'pointer' }} className={open === e.id ? 'selected' : ''}>
                    <td className="nowrap"><Time iso={e.time} /></td>
                    <td>{e.actor ?? <span className="muted">system</span>}</td>
                    <td className="mono small">{e.source_ip ?? '—'}</td>
                    <td><span className="badge outline mono">{e.action}</span></td>
                    <td className="mono small ellipsis" style={{ maxWidth: 200 }} title={e.target ?? ''}>{e.target ?? '—'}</td>
                    <td className="small muted ellipsis" style={{ maxWidth: 320 }}>
                      <button type="button" className="change-toggle" aria-expanded={open === e.id} onClick={(ev) => { ev.stopPropagation(); setOpen(open === e.id ? null : e.id); }}>
                        {short(e.after ?? e.before) || 'show before and after'}
                      </button>
                    </td>
                  </tr>
                  {open === e.id && (
                    <tr>
                      <td colSpan={6} style={{ background: 'var(--surface-2)' }}>
                        <div className="grid cols-2">
                          <div><div className="section-title">Before</div><pre className="log">{JSON.stringify(e.before, null, 2) ?? 'null'}</pre></div>
                          <div><div className="section-title">After</div><pre className="log">{JSON.stringify(e.after, null, 2) ?? 'null'}</pre></div>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          {q.hasNextPage && (
            <div style={{ padding: 12, textAlign: 'center' }}>
              <Button size="sm" busy={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>Load older entries</Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
