// Edit one rule or decoder file: validated as you type (file, line, column from the compiler),
// a diff before saving, lines tested against the draft, revisions and rollback. The server applies
// a save only when the whole ruleset compiles with it.
import type { RulesetError, RulesetValidation } from '@portcullis/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useCan } from '@/lib/authorization';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CodeEditor, type CodeEditorHandle, type EditorIssue } from '@/components/ui/code-editor';
import { ErrorState, Loading } from '@/components/ui/states';
import { Tabs } from '@/components/ui/tabs';
import { formatDateTime } from '@/lib/format';
import { useRuleFile, validateDraft } from '../api/files';
import { DraftTest } from './draft-test';
import { RevisionsPanel } from './revisions-panel';
import { SaveDialog } from './save-dialog';
import { checkXml } from './xml-check';

type Check = { state: 'idle' } | { state: 'checking' } | { state: 'done'; ok: boolean; issues: EditorIssue[]; other: RulesetError[]; where: 'server' | 'browser' };

function basename(p: string) {
  return p.split('/').pop() ?? p;
}

/** Errors in this file become editor diagnostics; errors elsewhere (a rule in another file that
 * now points at nothing) are listed apart. */
function split(path: string, errors: RulesetError[]): { issues: EditorIssue[]; other: RulesetError[] } {
  const mine = (e: RulesetError) => e.file === path || e.file.endsWith(`/${path}`) || path.endsWith(`/${e.file}`) || basename(e.file) === basename(path);
  return { issues: errors.filter(mine).map((e) => ({ line: e.line, column: e.column, message: e.message })), other: errors.filter((e) => !mine(e)) };
}

export function FileEditor({ path, line }: { path: string; line: number | null }) {
  const file = useRuleFile(path);
  const canEdit = useCan('rules:write');
  const [draft, setDraft] = useState<string | null>(null);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const [saving, setSaving] = useState(false);
  const [panel, setPanel] = useState<'test' | 'revisions'>('test');
  const editor = useRef<CodeEditorHandle>(null);
  const saved = file.data?.content ?? '';
  const text = draft ?? saved;
  const dirty = draft !== null && draft !== saved;
  const editable = canEdit && (file.data?.editable ?? false);

  // Validate as you type: the server compiles the ruleset with the draft (debounced); without
  // that route, the browser checks that the XML is well formed.
  const seq = useRef(0);
  useEffect(() => {
    if (!dirty) {
      setCheck({ state: 'idle' });
      return;
    }
    const n = ++seq.current;
    setCheck({ state: 'checking' });
    const t = setTimeout(() => {
      validateDraft({ path, content: text }).then(
        (v: RulesetValidation) => {
          if (n !== seq.current) return;
          setCheck({ state: 'done', ok: v.ok, ...split(path, v.errors), where: 'server' });
        },
        (err: unknown) => {
          if (n !== seq.current) return;
          const issues = checkXml(text);
          if (err instanceof ApiError && (err.missing || err.status === 403)) setCheck({ state: 'done', ok: issues.length === 0, issues, other: [], where: 'browser' });
          else setCheck({ state: 'done', ok: false, issues, other: [{ file: path, line: 0, column: 0, message: `validation failed: ${errorMessage(err)}` }], where: 'browser' });
        },
      );
    }, 450);
    return () => clearTimeout(t);
  }, [text, dirty, path]);

  useEffect(() => {
    if (line && file.data) setTimeout(() => editor.current?.goTo(line, 1), 50);
  }, [line, file.data]);

  const issues = useMemo(() => (check.state === 'done' ? check.issues : []), [check]);
  if (file.isPending) return <Card><Loading label={`Opening ${path}…`} /></Card>;
  if (file.error) return <Card><ErrorState error={file.error} onRetry={() => void file.refetch()} /></Card>;
  const f = file.data;
  const hasErrors = check.state === 'done' && !check.ok;

  return (
    <div className="stack" style={{ gap: 12 }}>
      <div className="card">
        <div className="card-head">
          <div className="grow" style={{ minWidth: 0 }}>
            <h2 className="ellipsis" title={f.path} style={{ fontFamily: 'var(--mono)', fontSize: 13.5 }}>{f.path}</h2>
            <div className="row small muted" style={{ marginTop: 2 }}>
              {f.kind} file{!f.editable && <Badge tone="warn">read-only</Badge>}
              {dirty ? <Badge tone="warn" dot>Unsaved changes</Badge> : <span>saved {formatDateTime(f.modified_at)}</span>}
              <ValidationBadge check={check} />
            </div>
          </div>
          {editable && (
            <>
              <Button size="sm" disabled={!dirty} onClick={() => setDraft(null)}>
                Discard
              </Button>
              <Button size="sm" variant="primary" disabled={!dirty || check.state !== 'done' || hasErrors} onClick={() => setSaving(true)} title={hasErrors ? 'Fix the errors first: a file that does not compile is never applied' : undefined}>
                Review and save…
              </Button>
            </>
          )}
        </div>
        <CodeEditor ref={editor} label={`Editor: ${f.path}`} value={text} onChange={(v) => setDraft(v)} readOnly={!editable} issues={issues} height={440} onSave={() => dirty && !hasErrors && check.state === 'done' && setSaving(true)} />
        {check.state === 'done' && (check.issues.length > 0 || check.other.length > 0) && (
          <ul className="issues" aria-label="Errors" data-testid="editor-errors">
            {check.issues.map((i, k) => (
              <li key={`i${k}`}>
                <button type="button" className="where" onClick={() => editor.current?.goTo(i.line, i.column)}>
                  line {i.line}, column {i.column}
                </button>
                <span>{i.message}</span>
              </li>
            ))}
            {check.other.map((e, k) => (
              <li key={`o${k}`}>
                <span className="where">{e.file}{e.line ? `:${e.line}:${e.column}` : ''}</span>
                <span>{e.message}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <Card>
        <Tabs
          label="Draft tools"
          value={panel}
          onChange={setPanel}
          items={[
            { key: 'test', label: dirty ? 'Test lines against the draft' : 'Test lines' },
            { key: 'revisions', label: 'Revisions', count: f ? undefined : null },
          ]}
        />
        {panel === 'test' ? <DraftTest path={path} content={text} draft={dirty} blocked={hasErrors} /> : <RevisionsPanel path={path} current={saved} canRollback={editable} onLoaded={() => setDraft(null)} />}
      </Card>
      {saving && <SaveDialog path={path} original={saved} draft={text} baseHash={f.hash} onClose={() => setSaving(false)} onSaved={() => { setSaving(false); setDraft(null); }} />}
    </div>
  );
}

function ValidationBadge({ check }: { check: Check }) {
  if (check.state === 'idle') return null;
  if (check.state === 'checking') return <Badge tone="info">Checking…</Badge>;
  const n = check.issues.length + check.other.length;
  if (check.ok) return <Badge tone="ok" dot title={check.where === 'browser' ? 'Well-formed XML (checked in the browser; the server compiles it on save)' : 'The ruleset compiles with this draft'}>{check.where === 'browser' ? 'Well-formed' : 'Compiles'}</Badge>;
  return <Badge tone="danger" dot>{n} {n === 1 ? 'error' : 'errors'}</Badge>;
}
