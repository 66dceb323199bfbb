// The filter bar. Selects apply at once; text fields on Enter or when they lose focus. Every
// filter lives in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { IconX } from '@/components/ui/icons';
import { RANGES, type AlertFilters, type FilterKey } from '../api/alerts';

const TEXT_FIELDS: Array<{ key: FilterKey; label: string; placeholder: string; width: number; mono?: boolean }> = [
  { key: 'rule_id', label: 'Rule', placeholder: 'id', width: 80, mono: true },
  { key: 'group', label: 'Group', placeholder: 'sshd', width: 110 },
  { key: 'srcip', label: 'Source IP', placeholder: '203.0.113.9', width: 120, mono: true },
  // host: the registered host that sent the line (authenticated); hostname: what the line says.
  { key: 'host', label: 'Host', placeholder: 'web1', width: 90 },
  { key: 'hostname', label: 'Hostname', placeholder: 'web01', width: 100 },
  { key: 'q', label: 'Text in the log line', placeholder: 'Search…', width: 150 },
];

function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}

export function AlertFiltersBar({ filters, onChange }: { filters: AlertFilters; onChange: (patch: AlertFilters | null) => void }) {
  const [draft, setDraft] = useState<AlertFilters>(filters);
  useEffect(() => setDraft(filters), [filters]);
  const applyText = () => {
    const patch: AlertFilters = {};
    let changed = false;
    for (const f of TEXT_FIELDS) {
      const v = (draft[f.key] ?? '').trim();
      if (v !== (filters[f.key] ?? '')) {
        patch[f.key] = v;
        changed = true;
      }
    }
    if (changed) onChange(patch);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    applyText();
  };
  const active = Object.keys(filters).length > 0;
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Filter alerts">
      <div className="field">
        <label htmlFor="f-level">Min level</label>
        <select id="f-level" className="select sm" value={filters.level_min ?? ''} onChange={(e) => onChange({ level_min: e.target.value })}>
          <option value="">Any</option>
          {Array.from({ length: 16 }, (_, i) => i + 1).map((l) => (
            <option key={l} value={l}>
              ≥ {l}
            </option>
          ))}
        </select>
      </div>
      {TEXT_FIELDS.map((f) => (
        <div className="field" key={f.key}>
          <label htmlFor={`f-${f.key}`}>{f.label}</label>
          <input
            id={`f-${f.key}`}
            className={`input sm ${f.mono ? 'mono' : ''}`}
            style={{ width: f.width }}
            placeholder={f.placeholder}
            value={draft[f.key] ?? ''}
            inputMode={f.key === 'rule_id' ? 'numeric' : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, [f.key]: e.target.value }))}
            onBlur={applyText}
          />
        </div>
      ))}
      <div className="field">
        <label htmlFor="f-range">Time</label>
        <select id="f-range" className="select sm" value={filters.range ?? ''} onChange={(e) => onChange({ range: e.target.value, ...(e.target.value !== 'custom' ? { from: '', to: '' } : {}) })}>
          {Object.entries(RANGES).map(([k, r]) => (
            <option key={k} value={k}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      {filters.range === 'custom' && (
        <>
          <div className="field">
            <label htmlFor="f-from">From</label>
            <input id="f-from" type="datetime-local" className="input sm" value={toLocalInput(filters.from)} onChange={(e) => onChange({ from: e.target.value ? new Date(e.target.value).toISOString() : '' })} />
          </div>
          <div className="field">
            <label htmlFor="f-to">To</label>
            <input id="f-to" type="datetime-local" className="input sm" value={toLocalInput(filters.to)} onChange={(e) => onChange({ to: e.target.value ? new Date(e.target.value).toISOString() : '' })} />
          </div>
        </>
      )}
      <button type="submit" className="visually-hidden">
        Apply filters
      </button>
      <span className="grow" />
      {active && (
        <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => onChange(null)}>
          Clear filters
        </Button>
      )}
    </form>
  );
}
