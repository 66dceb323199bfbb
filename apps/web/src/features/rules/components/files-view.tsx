// The rule and decoder files: pick one on the left, edit it on the right. `?path=` and `?line=`
// make a link open a file at a line (the rule page links here).
import { useUrlParams } from '@/lib/url-state';
import { formatNumber } from '@/lib/format';
import { Card } from '@/components/ui/card';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { useRuleFiles } from '../api/files';
import { FileEditor } from './file-editor';

export function FilesView() {
  const [p, set] = useUrlParams(['path', 'line', 'kind'] as const);
  const files = useRuleFiles();
  const path = p.path ?? null;
  const line = p.line && /^\d+$/.test(p.line) ? Number(p.line) : null;
  const kind = p.kind === 'decoders' ? 'decoders' : p.kind === 'rules' ? 'rules' : null;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '240px minmax(0, 1fr)', gap: 16, alignItems: 'start' }}>
      <Card title="Files" flush actions={
        <select className="select sm" aria-label="Kind of file" value={kind ?? ''} onChange={(e) => set({ kind: e.target.value }, { replace: true })}>
          <option value="">All</option>
          <option value="rules">Rules</option>
          <option value="decoders">Decoders</option>
        </select>
      }>
        {files.isPending ? <Loading rows={10} /> : files.error ? <ErrorState error={files.error} onRetry={() => void files.refetch()} /> : (
          <nav aria-label="Rule and decoder files" style={{ maxHeight: 'calc(100vh - 210px)', overflow: 'auto' }}>
            {files.data.items.filter((f) => !kind || f.kind === kind).map((f) => (
              <button
                key={f.path}
                type="button"
                className="file-item"
                title={f.path}
                aria-current={f.path === path ? 'true' : undefined}
                onClick={() => set({ path: f.path, line: '' })}
              >
                <div className="mono ellipsis" title={f.path}>{f.path.split('/').pop()}</div>
                <div className="muted small">{f.kind} · {formatNumber(Math.round(f.size / 102.4) / 10)} KB{f.revisions ? ` · ${f.revisions} revisions` : ''}{f.editable ? '' : ' · read-only'}</div>
              </button>
            ))}
          </nav>
        )}
      </Card>
      {path ? <FileEditor key={path} path={path} line={line} /> : (
        <Card><Empty title="Choose a file">Pick a rule or decoder file on the left to view or edit it.</Empty></Card>
      )}
    </div>
  );
}
