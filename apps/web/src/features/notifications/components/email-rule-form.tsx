// One OSSEC <email_alerts> block as a form: recipients and the filters (level, group, location,
// rule ids), the format, and do_not_delay / do_not_group.
import type { EmailRuleSettings } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';
import { list, ruleIds } from './integration-form';

export function EmailRuleForm({ initial, defaultLevel, busy, onSave, onCancel }: {
  initial?: EmailRuleSettings;
  defaultLevel: number;
  busy: boolean;
  onSave: (r: EmailRuleSettings) => void;
  onCancel: () => void;
}) {
  const [to, setTo] = useState(initial?.to.join(', ') ?? '');
  const [level, setLevel] = useState(initial?.level === null || initial === undefined ? '' : String(initial.level));
  const [group, setGroup] = useState(initial?.group ?? '');
  const [location, setLocation] = useState(initial?.event_location ?? '');
  const [rules, setRules] = useState(initial?.rule_id.join(', ') ?? '');
  const [format, setFormat] = useState<EmailRuleSettings['format']>(initial?.format ?? 'full');
  const [noDelay, setNoDelay] = useState(initial?.do_not_delay ?? false);
  const [noGroup, setNoGroup] = useState(initial?.do_not_group ?? false);
  const [error, setError] = useState<{ to?: string; rules?: string }>({});
  const id = initial ? 'er-edit' : 'er';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const ids = ruleIds(rules);
    const addresses = list(to);
    const next = { ...(addresses.length === 0 ? { to: 'At least one address' } : {}), ...(typeof ids === 'string' ? { rules: ids } : {}) };
    setError(next);
    if (next.to || typeof ids === 'string') return;
    onSave({
      to: addresses, level: level === '' ? null : Number(level), group: group.trim() || null, event_location: location.trim() || null,
      rule_id: ids, format, do_not_delay: noDelay, do_not_group: noGroup,
    });
  };
  return (
    <form onSubmit={submit} className="stack" style={{ gap: 12, padding: 16, border: '1px solid var(--border)', borderRadius: 8 }}
      aria-label={initial ? `Edit e-mail rule to ${initial.to.join(', ')}` : 'New e-mail rule'}>
      <div className="grid" style={{ gridTemplateColumns: 'repeat(3, 1fr)', gap: 12 }}>
        <Field label="To" htmlFor={`${id}-to`} help="Addresses, comma-separated" error={error.to}>
          <input id={`${id}-to`} className="input" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <Field label="Minimum level" htmlFor={`${id}-level`} help={`Empty: email_alert_level (${defaultLevel})`}>
          <input id={`${id}-level`} className="input" type="number" min={0} max={16} value={level} onChange={(e) => setLevel(e.target.value)} />
        </Field>
        <Field label="Format" htmlFor={`${id}-format`} help="sms: short, for a pager; sent without delay">
          <select id={`${id}-format`} className="select" value={format} onChange={(e) => setFormat(e.target.value as EmailRuleSettings['format'])}>
            <option value="full">full</option>
            <option value="sms">sms</option>
          </select>
        </Field>
        <Field label="Group" htmlFor={`${id}-group`} help="OSSEC match on the rule's groups (a|b, ^, $)">
          <input id={`${id}-group`} className="input mono" value={group} onChange={(e) => setGroup(e.target.value)} />
        </Field>
        <Field label="Event location" htmlFor={`${id}-loc`} help="OSSEC match on the log's location">
          <input id={`${id}-loc`} className="input mono" value={location} onChange={(e) => setLocation(e.target.value)} />
        </Field>
        <Field label="Rule ids" htmlFor={`${id}-rules`} help="Only these rules; empty: all" error={error.rules}>
          <input id={`${id}-rules`} className="input mono" value={rules} onChange={(e) => setRules(e.target.value)} />
        </Field>
      </div>
      <div className="row" style={{ gap: 16 }}>
        <label className="row" style={{ gap: 8 }}>
          <input type="checkbox" checked={noDelay} onChange={(e) => setNoDelay(e.target.checked)} /> Send at once (<span className="mono">do_not_delay</span>)
        </label>
        <label className="row" style={{ gap: 8 }}>
          <input type="checkbox" checked={noGroup} onChange={(e) => setNoGroup(e.target.checked)} /> Each alert alone (<span className="mono">do_not_group</span>)
        </label>
      </div>
      <div className="row" style={{ gap: 8 }}>
        <Button type="submit" variant="primary" busy={busy}>Save rule</Button>
        <Button type="button" variant="ghost" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
