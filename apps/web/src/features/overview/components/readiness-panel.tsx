// Readiness on the overview: a red panel, until fixed, when an active response cannot run (or a log
// file cannot be read), each problem with what to do; a quiet line when all is well.
import type { Readiness, ReadinessProblem } from '@portcullis/shared';
import { IconCheck, IconWarning } from '@/components/ui/icons';

function Problem({ p }: { p: ReadinessProblem }) {
  return (
    <li style={{ padding: '6px 0', borderTop: '1px solid rgba(0,0,0,0.06)' }}>
      <div>{p.message}</div>
      <div className="small" style={{ marginTop: 2 }}>
        <b>Fix:</b> <span className="mono">{p.fix}</span>
      </div>
    </li>
  );
}

function title(r: Readiness): string {
  if (r.active_response === 'not_ready') return 'Active response will not run as configured';
  return 'Some log files will not be read';
}

export function ReadinessPanel({ readiness }: { readiness: Readiness }) {
  const errors = readiness.problems.filter((p) => p.severity === 'error');
  const warnings = readiness.problems.filter((p) => p.severity === 'warning');
  if (errors.length === 0) {
    return (
      <div data-testid="readiness" data-state="ok" className="small muted row" style={{ gap: 6, marginBottom: 12, alignItems: 'center' }}>
        <IconCheck width={14} height={14} style={{ flex: 'none', color: 'var(--ok)' }} />
        <span>
          {readiness.active_response === 'none' ? 'No active response configured.' : `Active response ready: ${readiness.commands.filter((c) => c.used).map((c) => `${c.name}${c.backend ? ` (${c.backend.split(',')[0]})` : ''}`).join(', ')}.`}
          {warnings.length > 0 && ` ${warnings.length} note${warnings.length === 1 ? '' : 's'}: `}
          {warnings.length > 0 && <span title={warnings.map((w) => w.message).join('\n')}>{warnings.map((w) => w.message).join('; ')}</span>}
        </span>
      </div>
    );
  }
  return (
    <section className="banner danger" role="alert" data-testid="readiness" data-state="error" style={{ display: 'block', marginBottom: 16, padding: '12px 16px' }}>
      <div className="row" style={{ gap: 8, alignItems: 'center', fontSize: 15 }}>
        <IconWarning width={18} height={18} style={{ flex: 'none' }} />
        <b>{title(readiness)}</b>
      </div>
      <p style={{ margin: '4px 0 6px' }}>
        Detection goes on, but {errors.length === 1 ? 'this needs' : `these ${errors.length} need`} fixing on the server (checked again every 30 s; scripts run as{' '}
        <span className="mono">{readiness.user}</span> from <span className="mono">{readiness.active_response_dir.path}</span>):
      </p>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {errors.map((p, i) => <Problem key={`e${i}`} p={p} />)}
      </ul>
      {warnings.length > 0 && (
        <details style={{ marginTop: 6 }}>
          <summary className="small">{warnings.length} warning{warnings.length === 1 ? '' : 's'}</summary>
          <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {warnings.map((p, i) => <Problem key={`w${i}`} p={p} />)}
          </ul>
        </details>
      )}
    </section>
  );
}
