// Commands and active responses, as forms and as XML (one draft, two views), validated by the
// server as you edit (unknown command, timeout on a command that does not allow it, missing
// script), with the rules each response is bound to.
import type { ActiveResponseInfo, ResponseConfig, ResponseIssue, ResponseValidation } from '@portcullis/shared';
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useCan } from '@/lib/authorization';
import { useUrlParams } from '@/lib/url-state';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { IconPlus } from '@/components/ui/icons';
import { ErrorState, Loading } from '@/components/ui/states';
import { Tabs } from '@/components/ui/tabs';
import { useToast } from '@/components/ui/toast';
import { useResponses, useSaveResponses, validateResponses } from '../api/responses';
import { append, commands, parse, readCommand, readResponse, remove, responses, serialize, setField } from './response-xml';

const CodeEditor = lazy(() => import('@/components/ui/code-editor').then((m) => ({ default: m.CodeEditor })));
const DiffView = lazy(() => import('@/components/ui/code-editor').then((m) => ({ default: m.DiffView })));

type Check = { state: 'idle' } | { state: 'checking' } | { state: 'done'; ok: boolean; issues: ResponseIssue[]; result: ResponseValidation | null };

export function ResponsesView() {
  const q = useResponses();
  if (q.isPending) return <Card><Loading /></Card>;
  if (q.error) return <Card><ErrorState error={q.error} onRetry={() => void q.refetch()} /></Card>;
  return <ResponsesEditor key={q.data.hash} cfg={q.data} />;
}

function ResponsesEditor({ cfg }: { cfg: ResponseConfig }) {
  const canEdit = useCan('responses:write');
  const [p, set] = useUrlParams(['view'] as const);
  const view = p.view === 'xml' ? 'xml' : 'forms';
  const [draft, setDraft] = useState(cfg.xml);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const [saving, setSaving] = useState(false);
  const dirty = draft !== cfg.xml;

  const seq = useRef(0);
  useEffect(() => {
    if (!dirty) {
      setCheck({ state: 'idle' });
      return;
    }
    const n = ++seq.current;
    setCheck({ state: 'checking' });
    const t = setTimeout(() => {
      validateResponses(draft).then(
        (v) => n === seq.current && setCheck({ state: 'done', ok: v.ok, issues: v.issues, result: v }),
        (err: unknown) => {
          if (n !== seq.current) return;
          const local = parse(draft) ? [] : [{ code: 'XML' as const, message: 'The XML is not well formed.', line: null, column: null }];
          const note = err instanceof ApiError && err.missing ? [] : [{ code: 'INVALID' as const, message: `validation failed: ${errorMessage(err)}`, line: null, column: null }];
          setCheck({ state: 'done', ok: local.length === 0 && note.length === 0, issues: [...local, ...note], result: null });
        },
      );
    }, 450);
    return () => clearTimeout(t);
  }, [draft, dirty]);

  const hasErrors = check.state === 'done' && !check.ok;
  const live: ActiveResponseInfo[] = check.state === 'done' && check.result ? check.result.active_responses : cfg.active_responses;

  return (
    <div className="stack">
      <div className="row">
        <div className="grow">
          <Tabs label="View" value={view} onChange={(v) => set({ view: v === 'forms' ? '' : v }, { replace: true })} items={[{ key: 'forms', label: 'Forms' }, { key: 'xml', label: 'XML' }]} />
        </div>
        {dirty && <Badge tone="warn" dot>Unsaved changes</Badge>}
        {check.state === 'checking' && <Badge tone="info">Checking…</Badge>}
        {check.state === 'done' && (check.ok ? <Badge tone="ok" dot>Valid</Badge> : <Badge tone="danger" dot>{check.issues.length} {check.issues.length === 1 ? 'problem' : 'problems'}</Badge>)}
        {canEdit && (
          <>
            <Button size="sm" disabled={!dirty} onClick={() => setDraft(cfg.xml)}>Discard</Button>
            <Button size="sm" variant="primary" disabled={!dirty || check.state !== 'done' || hasErrors} onClick={() => setSaving(true)}>Review and save…</Button>
          </>
        )}
      </div>
      {check.state === 'done' && check.issues.length > 0 && (
        <ul className="issues card" aria-label="Problems" data-testid="response-issues">
          {check.issues.map((i, k) => (
            <li key={k}>
              <span className="where">{i.line ? `line ${i.line}${i.column ? `, column ${i.column}` : ''}` : i.code}</span>
              <span>{i.message}</span>
            </li>
          ))}
        </ul>
      )}
      {view === 'xml' ? (
        <Card title="Commands and active responses" hint="the blocks of the config file">
          <Suspense fallback={<Loading rows={8} />}>
            <CodeEditor label="Commands and active responses XML" value={draft} onChange={setDraft} readOnly={!canEdit} height={480}
              issues={check.state === 'done' ? check.issues.filter((i) => i.line).map((i) => ({ line: i.line!, column: i.column ?? 1, message: i.message })) : []} />
          </Suspense>
        </Card>
      ) : (
        <FormsView draft={draft} setDraft={setDraft} cfg={cfg} live={live} canEdit={canEdit} />
      )}
      {saving && <SaveResponses cfg={cfg} draft={draft} onClose={() => setSaving(false)} />}
    </div>
  );
}

function FormsView({ draft, setDraft, cfg, live, canEdit }: { draft: string; setDraft: (s: string) => void; cfg: ResponseConfig; live: ActiveResponseInfo[]; canEdit: boolean }) {
  const doc = useMemo(() => parse(draft), [draft]);
  if (!doc) return <div className="banner danger">The XML is not well formed, so it cannot be shown as forms. Fix it in the XML view.</div>;
  const cmds = commands(doc);
  const ars = responses(doc);
  const edit = (fn: (d: Document) => void) => {
    const d = parse(draft)!;
    fn(d);
    setDraft(serialize(d));
  };
  const names = cmds.map((c) => readCommand(c).name);
  const dis = !canEdit;
  return (
    <>
      <Card title="Commands" hint="scripts an active response may run" actions={canEdit && <Button size="sm" icon={<IconPlus />} onClick={() => edit((d) => append(d, 'command'))}>Add command</Button>} flush>
        <div className="table-wrap"><table className="table" aria-label="Commands">
          <thead>
            <tr><th>Name</th><th>Executable</th><th>Expects</th><th>Timeout allowed</th><th>Script</th>{canEdit && <th />}</tr>
          </thead>
          <tbody>
            {cmds.map((el, i) => {
              const c = readCommand(el);
              const info = cfg.commands.find((x) => x.name === c.name);
              const found = cfg.scripts.some((s) => s === c.executable || s === `${c.executable}.sh`);
              const up = (tag: string, v: string) => edit((d) => setField(d, commands(d)[i]!, tag, v));
              return (
                <tr key={i}>
                  <td><input className="input sm mono" style={{ width: 150 }} aria-label="Command name" value={c.name} disabled={dis} onChange={(e) => up('name', e.target.value)} /></td>
                  <td>
                    <input className="input sm mono" style={{ width: 170 }} aria-label="Executable" list="ar-scripts" value={c.executable} disabled={dis} onChange={(e) => up('executable', e.target.value)} />
                  </td>
                  <td><input className="input sm mono" style={{ width: 110 }} aria-label="Expected fields" value={c.expect} disabled={dis} onChange={(e) => up('expect', e.target.value)} /></td>
                  <td><label className="checkbox"><input type="checkbox" checked={c.timeout_allowed} disabled={dis} onChange={(e) => up('timeout_allowed', e.target.checked ? 'yes' : 'no')} /> {c.timeout_allowed ? 'yes' : 'no'}</label></td>
                  <td>{found ? <Badge tone="ok" dot title={info?.script ?? undefined}>found</Badge> : <Badge tone="danger" dot>missing</Badge>}</td>
                  {canEdit && <td className="actions"><Button size="sm" variant="ghost" onClick={() => edit((d) => remove(commands(d)[i]!))}>Remove</Button></td>}
                </tr>
              );
            })}
          </tbody>
        </table></div>
        <datalist id="ar-scripts">{cfg.scripts.map((s) => <option key={s} value={s} />)}</datalist>
      </Card>
      <Card title="Active responses" hint="when a command runs, and for how long" actions={canEdit && <Button size="sm" icon={<IconPlus />} onClick={() => edit((d) => append(d, 'active-response'))}>Add response</Button>} flush>
        <div className="table-wrap"><table className="table" aria-label="Active responses">
          <thead>
            <tr><th>On</th><th>Command</th><th>Location</th><th>Level ≥</th><th>Groups</th><th>Rule ids</th><th>Timeout (s)</th><th>Repeat offenders (min)</th><th>Bound to</th>{canEdit && <th />}</tr>
          </thead>
          <tbody>
            {ars.map((el, i) => {
              const a = readResponse(el);
              const up = (tag: string, v: string) => edit((d) => setField(d, responses(d)[i]!, tag, v));
              const bound = live.find((x) => x.index === i)?.bound_rules ?? [];
              return (
                <tr key={i}>
                  <td><input type="checkbox" aria-label="Enabled" checked={!a.disabled} disabled={dis} onChange={(e) => up('disabled', e.target.checked ? '' : 'yes')} /></td>
                  <td>
                    <select className="select sm mono" aria-label="Command" value={a.command} disabled={dis} onChange={(e) => up('command', e.target.value)}>
                      {!names.includes(a.command) && <option value={a.command}>{a.command || '(none)'} (unknown)</option>}
                      {names.map((n) => <option key={n} value={n}>{n}</option>)}
                    </select>
                  </td>
                  <td>
                    <select className="select sm" style={{ width: 96 }} aria-label="Location" value={a.location} disabled={dis} onChange={(e) => up('location', e.target.value)}>
                      {['local', 'server', 'all', 'defined-agent'].map((l) => <option key={l} value={l}>{l}</option>)}
                    </select>
                  </td>
                  <td><input className="input sm num" style={{ width: 56 }} aria-label="Minimum level" value={a.level} disabled={dis} onChange={(e) => up('level', e.target.value.replace(/\D/g, ''))} /></td>
                  <td><input className="input sm mono" style={{ width: 130 }} aria-label="Rule groups" value={a.rules_group} disabled={dis} onChange={(e) => up('rules_group', e.target.value)} /></td>
                  <td><input className="input sm mono" style={{ width: 90 }} aria-label="Rule ids" value={a.rules_id} disabled={dis} onChange={(e) => up('rules_id', e.target.value)} /></td>
                  <td><input className="input sm num" style={{ width: 70 }} aria-label="Timeout in seconds" value={a.timeout} disabled={dis} onChange={(e) => up('timeout', e.target.value.replace(/\D/g, ''))} /></td>
                  <td><input className="input sm mono" style={{ width: 90 }} aria-label="Repeated offenders, minutes" value={a.repeated_offenders} disabled={dis} onChange={(e) => up('repeated_offenders', e.target.value)} /></td>
                  <td>
                    {bound.length === 0 ? <span className="muted">no rule</span> : (
                      <details>
                        <summary className="nowrap">{bound.length} {bound.length === 1 ? 'rule' : 'rules'}</summary>
                        <div style={{ maxWidth: 260, maxHeight: 160, overflow: 'auto' }}>
                          {bound.map((r) => <Link key={r.id} to={`/rules/${r.id}`} className="tag" title={r.description}>{r.id}</Link>)}
                        </div>
                      </details>
                    )}
                  </td>
                  {canEdit && <td className="actions"><Button size="sm" variant="ghost" onClick={() => edit((d) => remove(responses(d)[i]!))}>Remove</Button></td>}
                </tr>
              );
            })}
          </tbody>
        </table></div>
      </Card>
    </>
  );
}

function SaveResponses({ cfg, draft, onClose }: { cfg: ResponseConfig; draft: string; onClose: () => void }) {
  const save = useSaveResponses();
  const toast = useToast();
  const [message, setMessage] = useState('');
  const err = save.error;
  const v = err instanceof ApiError && err.status === 422 ? (err.body as ResponseValidation | null) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ xml: draft, base_hash: cfg.hash, message: message.trim() }, { onSuccess: () => { toast('Commands and responses saved and applied.'); onClose(); } });
  };
  return (
    <Dialog title="Save commands and active responses" description="Applied at once when valid; nothing changes otherwise." onClose={onClose} wide>
      <form onSubmit={submit} style={{ display: 'contents' }}>
        <Suspense fallback={<Loading rows={6} />}><DiffView original={cfg.xml} modified={draft} height={300} /></Suspense>
        {v && <div className="banner danger" role="alert"><span><b>Not applied.</b> {v.issues.map((i) => i.message).join(' ')}</span></div>}
        {err && !v && <div className="banner danger" role="alert">{errorMessage(err)}</div>}
        <Field label="What changed, and why" htmlFor="resp-msg">
          <input id="resp-msg" className="input" value={message} onChange={(e) => setMessage(e.target.value)} data-autofocus />
        </Field>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!message.trim()} busy={save.isPending}>Save and apply</Button>
        </div>
      </form>
    </Dialog>
  );
}
