// Log test: paste lines, run them against the live ruleset or a draft of one file, and read the
// three phases and the replay. The lines are kept in the URL while short enough to share. Only
// admins test drafts (the API refuses others); a paste over LOGTEST_LIMITS is not sent.
import { LOGTEST_LIMITS, type RulesetValidation } from '@portcullis/shared';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useCan } from '@/lib/authorization';
import { useUrlParams } from '@/lib/url-state';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';
import { IconFlask } from '@/components/ui/icons';
import { ErrorState, Loading } from '@/components/ui/states';
import { fetchRuleFile, useLogtest } from '../api/logtest';
import { LogtestResults } from './logtest-results';

const CodeEditor = lazy(() => import('@/components/ui/code-editor').then((m) => ({ default: m.CodeEditor })));

const EXAMPLE = [
  'Mar  4 10:15:01 web01 sshd[2101]: Failed password for root from 203.0.113.9 port 50122 ssh2',
  'Mar  4 10:15:04 web01 sshd[2101]: Failed password for root from 203.0.113.9 port 50122 ssh2',
  'Mar  4 10:15:08 web01 sshd[2103]: Failed password for invalid user admin from 203.0.113.9 port 50130 ssh2',
  'Mar  4 10:15:11 web01 sshd[2103]: Failed password for invalid user admin from 203.0.113.9 port 50130 ssh2',
  'Mar  4 10:15:15 web01 sshd[2105]: Failed password for root from 203.0.113.9 port 50144 ssh2',
  'Mar  4 10:16:02 web01 sshd[2110]: Accepted publickey for deploy from 198.51.100.20 port 41822 ssh2',
].join('\n');

export function LogtestView() {
  const [p, set] = useUrlParams(['lines', 'time', 'draft'] as const);
  const [text, setText] = useState(p.lines ?? '');
  const [draftPath, setDraftPath] = useState(p.draft ?? '');
  const [draftText, setDraftText] = useState<string | null>(null);
  const [draftError, setDraftError] = useState<string | null>(null);
  const time = p.time === 'now' ? 'now' : 'log';
  const canDraft = useCan('rules:write');
  const useDraft = canDraft && draftText !== null;
  const run = useLogtest();

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length === 0 || lines.length > LOGTEST_LIMITS.lines) return;
    if (text.length < 1500) set({ lines: text }, { replace: true });
    run.mutate({ lines, time, ...(useDraft ? { draft: { path: draftPath, content: draftText } } : {}) });
  };
  const loadDraft = async () => {
    setDraftError(null);
    try {
      const f = await fetchRuleFile(draftPath.trim());
      setDraftText(f.content);
      set({ draft: f.path }, { replace: true });
    } catch (err) {
      setDraftError(errorMessage(err));
    }
  };
  const validation = run.error instanceof ApiError && run.error.status === 422 ? (run.error.body as RulesetValidation | null) : null;
  const count = text.split(/\r?\n/).filter((l) => l.trim() !== '').length;
  const tooMany = count > LOGTEST_LIMITS.lines;

  return (
    <div className="stack">
      <Card title="Log lines" hint="one event per line">
        <form onSubmit={submit} className="stack" style={{ gap: 12 }} aria-label="Log test">
          <textarea
            className="textarea mono"
            rows={8}
            aria-label="Log lines to test"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
            }}
            placeholder="Paste log lines here, e.g. from /var/log/auth.log"
            spellCheck={false}
            data-testid="logtest-input"
          />
          <div className="row wrap">
            <div className="field">
              <label htmlFor="lt-time" className="field-label">Event time</label>
              <select id="lt-time" className="select sm" value={time} onChange={(e) => set({ time: e.target.value === 'log' ? '' : e.target.value }, { replace: true })}>
                <option value="log">From each line's timestamp (replay timing)</option>
                <option value="now">Time of the test (as live)</option>
              </select>
            </div>
            {canDraft && (
              <div className="field">
                <span className="field-label">Ruleset</span>
                <div className="row" role="radiogroup" aria-label="Ruleset">
                  <label className="checkbox"><input type="radio" name="rs" checked={!useDraft} onChange={() => { setDraftText(null); set({ draft: '' }, { replace: true }); }} /> Live</label>
                  <label className="checkbox"><input type="radio" name="rs" checked={useDraft} onChange={() => setDraftText('')} /> Draft of a file</label>
                </div>
              </div>
            )}
            <span className="grow" />
            <Button onClick={() => setText(EXAMPLE)}>Insert an example</Button>
            <Button type="submit" variant="primary" icon={<IconFlask />} busy={run.isPending} disabled={count === 0 || tooMany}>
              Test {count > 0 ? `${count} ${count === 1 ? 'line' : 'lines'}` : ''}
            </Button>
          </div>
          {tooMany && <div className="banner danger" role="alert">{count} lines: a log test takes at most {LOGTEST_LIMITS.lines} lines.</div>}
          <p className="muted small">
            Nothing is stored and no script runs. Up to {LOGTEST_LIMITS.lines} lines of at most {LOGTEST_LIMITS.lineBytes} bytes. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs the test.
          </p>
          {useDraft && (
            <div className="stack" style={{ gap: 8 }}>
              <div className="row">
                <Field label="File to replace with the draft" htmlFor="lt-path">
                  <input id="lt-path" className="input mono" style={{ width: 360 }} value={draftPath} onChange={(e) => setDraftPath(e.target.value)} placeholder="rules/sshd_rules.xml" />
                </Field>
                <Button onClick={() => void loadDraft()} disabled={!draftPath.trim()} style={{ alignSelf: 'flex-end' }}>
                  Load saved text
                </Button>
              </div>
              {draftError && <div className="banner danger">{draftError}</div>}
              <Suspense fallback={<Loading rows={4} />}>
                <CodeEditor label="Draft" value={draftText ?? ''} onChange={setDraftText} height={260} />
              </Suspense>
            </div>
          )}
        </form>
      </Card>
      {run.isPending && <Loading label="Running the lines through the engine…" />}
      {validation && (
        <div className="banner danger" role="alert">
          <span>
            <b>The draft does not compile.</b>
            <ul style={{ margin: '6px 0 0', paddingLeft: 18 }}>
              {validation.errors.map((e, i) => (
                <li key={i} className="mono small">{e.file}:{e.line}:{e.column}: {e.message}</li>
              ))}
            </ul>
          </span>
        </div>
      )}
      {run.error && !validation && <Card><ErrorState error={run.error} onRetry={() => submit()} /></Card>}
      {run.data && <LogtestResults r={run.data} />}
    </div>
  );
}
