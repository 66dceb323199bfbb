// Run log lines against the draft before it is applied (nothing is saved, no script runs).
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/lib/api-client';
import { LevelBadge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { useTestDraft } from '../api/files';

export function DraftTest({ path, content, draft, blocked }: { path: string; content: string; draft: boolean; blocked: boolean }) {
  const [text, setText] = useState('');
  const test = useTestDraft();
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  return (
    <div className="stack" style={{ gap: 10 }}>
      <textarea className="textarea mono" rows={4} aria-label="Lines to test" value={text} onChange={(e) => setText(e.target.value)} placeholder="Paste log lines; they run against this file as it is in the editor." spellCheck={false} />
      <div className="row">
        <Button variant="primary" size="sm" disabled={lines.length === 0 || blocked} busy={test.isPending} onClick={() => test.mutate({ lines, draft: { path, content } })}>
          Test against the {draft ? 'draft' : 'saved file'}
        </Button>
        {blocked && <span className="muted small">Fix the errors first.</span>}
      </div>
      {test.error && <div className="banner danger" role="alert">{errorMessage(test.error)}</div>}
      {test.data && (
        <table className="table" aria-label="Results against the draft">
          <thead>
            <tr>
              <th>Line</th>
              <th>Decoder</th>
              <th>Rule</th>
              <th>Description</th>
              <th>Alert</th>
            </tr>
          </thead>
          <tbody>
            {test.data.results.map((r) => (
              <tr key={r.line}>
                <td className="num">{r.line}</td>
                <td className="mono">{r.decode.decoder ?? '—'}</td>
                <td>{r.rule ? <span className="row"><LevelBadge level={r.rule.level} /><Link to={`/rules/${r.rule.id}`}>{r.rule.id}</Link></span> : '—'}</td>
                <td>{r.rule?.description ?? <span className="muted">no rule matched</span>}</td>
                <td>{r.alert ? <b style={{ color: 'var(--danger)' }}>yes</b> : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
