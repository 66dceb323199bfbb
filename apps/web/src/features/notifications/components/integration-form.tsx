// One Wazuh <integration> as a form: a new one, or one edited in place (its API key is never sent
// back to the browser; left empty, the server keeps the one the config has).
import type { IntegrationSettings } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';

export const list = (s: string): string[] => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

/** Rule ids typed as `100301, 5720`: the numbers, or null with what is wrong. */
export function ruleIds(s: string): number[] | string {
  const items = list(s);
  const bad = items.find((x) => !/^\d+$/.test(x));
  return bad !== undefined ? `"${bad}" is not a rule id` : items.map(Number);
}

export function IntegrationForm({ initial, busy, onSave, onCancel }: {
  initial?: IntegrationSettings;
  busy: boolean;
  onSave: (i: IntegrationSettings) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? 'custom-');
  const [url, setUrl] = useState(initial?.hook_url ?? '');
  const [level, setLevel] = useState(initial?.level === null || initial === undefined ? '' : String(initial.level));
  const [groups, setGroups] = useState(initial?.group.join(', ') ?? '');
  const [rules, setRules] = useState(initial?.rule_id.join(', ') ?? '');
  const [location, setLocation] = useState(initial?.event_location ?? '');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = initial ? 'int-edit' : 'int';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const ids = ruleIds(rules);
    if (typeof ids === 'string') return setError(ids);
    setError(null);
    onSave({
      name: name.trim(), hook_url: url.trim(), level: level === '' ? null : Number(level), rule_id: ids, group: list(groups),
      event_location: location.trim() || null, notify_blocks: initial?.notify_blocks ?? null,
      // Empty: keep the key the config has (an edit), or none (a new one).
      ...(apiKey ? { api_key: apiKey } : initial ? { api_key_set: initial.api_key_set ?? false } : { api_key: null, api_key_set: false }),
    });
  };
  return (
    <form onSubmit={submit} className="stack" style={{ gap: 12, padding: 16, borderBottom: '1px solid var(--border)' }}
      aria-label={initial ? `Edit integration ${initial.name}` : 'New integration'}>
      <div className="grid" style={{ gridTemplateColumns: '1fr 2fr', gap: 12 }}>
        <Field label="Name" htmlFor={`${id}-name`} help="slack, or custom-<name>">
          <input id={`${id}-name`} className="input mono" required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Hook URL" htmlFor={`${id}-url`} help="Where the alert is POSTed as JSON">
          <input id={`${id}-url`} className="input mono" required type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <Field label="Minimum level" htmlFor={`${id}-level`} help="Empty: every alert">
          <input id={`${id}-level`} className="input" type="number" min={0} max={16} value={level} onChange={(e) => setLevel(e.target.value)} />
        </Field>
        <Field label="Groups" htmlFor={`${id}-groups`} help="Any of these rule groups; empty: all">
          <input id={`${id}-groups`} className="input mono" value={groups} onChange={(e) => setGroups(e.target.value)} />
        </Field>
        <Field label="Rule ids" htmlFor={`${id}-rules`} help="Only these rules; empty: all" error={error}>
          <input id={`${id}-rules`} className="input mono" value={rules} onChange={(e) => setRules(e.target.value)} />
        </Field>
        <Field label="Event location" htmlFor={`${id}-loc`} help="OSSEC match on the log's location (a|b, ^, $)">
          <input id={`${id}-loc`} className="input mono" value={location} onChange={(e) => setLocation(e.target.value)} />
        </Field>
      </div>
      <Field label="API key" htmlFor={`${id}-key`}
        help={initial?.api_key_set ? 'A key is set: leave empty to keep it, or type a new one. Never shown again.' : 'Sent as Authorization: Bearer; stored in the config, never shown again'}>
        <input id={`${id}-key`} className="input mono" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)}
          placeholder={initial?.api_key_set ? '(set)' : ''} />
      </Field>
      <div className="row" style={{ gap: 8 }}>
        <Button type="submit" variant="primary" busy={busy}>Save integration</Button>
        <Button type="button" variant="ghost" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
