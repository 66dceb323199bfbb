// The saved revisions of a file, newest first: see what each changed and roll back to one.
import type { RulesetRevision, RulesetRevisionContent } from '@portcullis/shared';
import { useState } from 'react';
import { errorMessage } from '@/lib/api-client';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { DiffView } from '@/components/ui/code-editor';
import { Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useToast } from '@/components/ui/toast';
import { fetchRevision, useRevisions, useRollback } from '../api/files';

export function RevisionsPanel({ path, current, canRollback, onLoaded }: { path: string; current: string; canRollback: boolean; onLoaded: () => void }) {
  const q = useRevisions(path);
  const [open, setOpen] = useState<{ rev: RulesetRevision; content: RulesetRevisionContent | null; error: string | null } | null>(null);
  if (q.isPending) return <Loading rows={4} />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.items.length === 0) return <Empty title="No revisions yet">Each save through the dashboard is kept here and can be rolled back.</Empty>;
  const view = (rev: RulesetRevision) => {
    setOpen({ rev, content: null, error: null });
    fetchRevision(rev.id).then(
      (content) => setOpen({ rev, content, error: null }),
      (err: unknown) => setOpen({ rev, content: null, error: errorMessage(err) }),
    );
  };
  return (
    <>
      <table className="table" aria-label="Revisions">
        <thead>
          <tr>
            <th>Saved</th>
            <th>By</th>
            <th>Message</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {q.data.items.map((r) => (
            <tr key={r.id}>
              <td><Time iso={r.created_at} /></td>
              <td>{r.author ?? '—'}</td>
              <td>{r.message} {r.current && <Badge tone="ok">current</Badge>}</td>
              <td className="actions">
                <Button size="sm" onClick={() => view(r)}>{r.current ? 'View' : canRollback ? 'Compare / roll back' : 'Compare'}</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <RevisionDialog path={path} current={current} {...open} canRollback={canRollback && !open.rev.current} onClose={() => setOpen(null)} onDone={() => { setOpen(null); onLoaded(); }} />}
    </>
  );
}

function RevisionDialog({ path, current, rev, content, error, canRollback, onClose, onDone }: {
  path: string; current: string; rev: RulesetRevision; content: RulesetRevisionContent | null; error: string | null; canRollback: boolean; onClose: () => void; onDone: () => void;
}) {
  const rollback = useRollback(path);
  const toast = useToast();
  const [message, setMessage] = useState(`Roll back to the revision of ${new Date(rev.created_at).toLocaleString()}`);
  return (
    <Dialog title={`Revision of ${new Date(rev.created_at).toLocaleString()}`} description={`“${rev.message}” by ${rev.author ?? 'unknown'}. Shown as the changes from the file now to this revision.`} onClose={onClose} wide>
      {error ? <div className="banner danger">{error}</div> : !content ? <Loading /> : <DiffView original={current} modified={content.content} height={340} />}
      {rollback.error && <div className="banner danger" role="alert">{errorMessage(rollback.error)}</div>}
      {canRollback && (
        <Field label="Message" htmlFor="rb-msg">
          <input id="rb-msg" className="input" value={message} onChange={(e) => setMessage(e.target.value)} />
        </Field>
      )}
      <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
        <Button onClick={onClose}>Close</Button>
        {canRollback && (
          <Button variant="primary" disabled={!content || !message.trim()} busy={rollback.isPending} onClick={() => rollback.mutate({ id: rev.id, message: message.trim() }, { onSuccess: () => { toast('Rolled back and applied.'); onDone(); } })}>
            Roll back to this revision
          </Button>
        )}
      </div>
    </Dialog>
  );
}
