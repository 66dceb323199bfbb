// Addresses and networks that are never blocked: from the config file, added here, and the
// built-in protection (loopback, this host, signed-in admins).
import type { WhitelistEntry } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api-client';
import { useCan } from '@/lib/authorization';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useToast } from '@/components/ui/toast';
import { useAddWhitelist, useRemoveWhitelist, useWhitelist } from '../api/whitelist';

const SOURCE: Record<WhitelistEntry['source'], { label: string; tone: 'info' | 'neutral' | 'ok' }> = {
  config: { label: 'config file', tone: 'neutral' },
  dashboard: { label: 'dashboard', tone: 'info' },
  protected: { label: 'built-in protection', tone: 'ok' },
};

export function WhitelistView() {
  const q = useWhitelist();
  const canEdit = useCan('whitelist:write');
  const remove = useRemoveWhitelist();
  const toast = useToast();
  return (
    <div className="grid main-side" style={{ alignItems: 'start' }}>
      <Card title="Never blocked" flush>
        {q.isPending ? <Loading rows={5} /> : q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.items.length === 0 ? (
          <Empty title="The white list is empty">Loopback, this host's addresses and signed-in admins are still protected.</Empty>
        ) : (
          <table className="table" aria-label="White list">
            <thead><tr><th>Address or network</th><th>From</th><th>Note</th><th>Added</th>{canEdit && <th />}</tr></thead>
            <tbody>
              {q.data.items.map((e, i) => (
                <tr key={e.id ?? `x${i}`}>
                  <td className="mono">{e.value}</td>
                  <td><Badge tone={SOURCE[e.source].tone}>{SOURCE[e.source].label}</Badge></td>
                  <td>{e.note ?? <span className="muted">—</span>}</td>
                  <td>{e.created_at ? <><Time iso={e.created_at} />{e.created_by && <span className="muted small"> by {e.created_by}</span>}</> : <span className="muted">—</span>}</td>
                  {canEdit && (
                    <td className="actions">
                      {e.id !== null && (
                        <Button size="sm" variant="ghost" busy={remove.isPending && remove.variables === e.id} onClick={() => remove.mutate(e.id!, { onSuccess: () => toast(`${e.value} removed from the white list.`), onError: (err) => toast(errorMessage(err), 'error') })}>
                          Remove
                        </Button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {canEdit ? <AddForm /> : (
        <Card title="About the white list">
          <p className="muted">An address here is never blocked, whatever the rules say. Only admins can change the list.</p>
        </Card>
      )}
    </div>
  );
}

function AddForm() {
  const add = useAddWhitelist();
  const toast = useToast();
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ value: value.trim(), note: note.trim() }, { onSuccess: (x) => { toast(`${x.value} will never be blocked.`); setValue(''); setNote(''); } });
  };
  return (
    <Card title="Add an address or network">
      <form onSubmit={submit} className="stack" style={{ gap: 12 }}>
        {add.error && <div className="banner danger" role="alert">{errorMessage(add.error)}</div>}
        <Field label="Address or CIDR" htmlFor="wl-value" help="IPv4 or IPv6, e.g. 192.0.2.10 or 2001:db8::/32">
          <input id="wl-value" className="input mono" required value={value} onChange={(e) => setValue(e.target.value)} />
        </Field>
        <Field label="Note" htmlFor="wl-note" help="Required: whose address this is.">
          <input id="wl-note" className="input" required value={note} onChange={(e) => setNote(e.target.value)} />
        </Field>
        <Button type="submit" variant="primary" busy={add.isPending} disabled={!value.trim() || !note.trim()}>Add to the white list</Button>
      </form>
    </Card>
  );
}
