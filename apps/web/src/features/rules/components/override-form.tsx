// Tune a rule without touching its file: level, disable, frequency/timeframe, with a note. Kept
// as an override keyed by rule id, applied on every compile, flagged when the rule changes.
import type { RuleDetail } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';
import { useToast } from '@/components/ui/toast';
import { useDeleteOverride, useSetOverride } from '../api/rules';

export function OverrideForm({ rule }: { rule: RuleDetail }) {
  const o = rule.override;
  const set = useSetOverride(rule.id);
  const del = useDeleteOverride(rule.id);
  const toast = useToast();
  const [level, setLevel] = useState(String(o?.level ?? rule.base_level));
  const [disabled, setDisabled] = useState(o?.disabled ?? false);
  const [frequency, setFrequency] = useState(o?.frequency !== null && o?.frequency !== undefined ? String(o.frequency) : '');
  const [timeframe, setTimeframe] = useState(o?.timeframe !== null && o?.timeframe !== undefined ? String(o.timeframe) : '');
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const hasCorrelation = rule.frequency !== null;
  const noNote = note.trim() === '';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (noNote) return;
    const body = {
      note: note.trim(),
      ...(Number(level) !== rule.base_level ? { level: Number(level) } : {}),
      ...(disabled ? { disabled: true } : {}),
      ...(hasCorrelation && frequency && Number(frequency) !== rule.frequency ? { frequency: Number(frequency) } : {}),
      ...(hasCorrelation && timeframe && Number(timeframe) !== rule.timeframe ? { timeframe: Number(timeframe) } : {}),
    };
    set.mutate(body, {
      onSuccess: () => {
        toast(`Rule ${rule.id} tuned; the ruleset was recompiled.`);
        setNote('');
        setTouched(false);
      },
    });
  };
  const remove = () =>
    del.mutate(undefined, {
      onSuccess: () => {
        toast(`Override of rule ${rule.id} removed.`);
        setLevel(String(rule.base_level));
        setDisabled(false);
        setFrequency('');
        setTimeframe('');
      },
    });

  return (
    <form onSubmit={submit} className="stack" style={{ gap: 14 }} aria-label={`Tune rule ${rule.id}`}>
      {o && (
        <div className={`banner ${o.stale ? 'warn' : 'info'}`} data-testid="override-banner">
          <span>
            <b>{o.stale ? 'Overridden, and the rule changed since.' : 'Overridden.'}</b>{' '}
            {[o.level !== null && `level ${rule.base_level} → ${o.level}`, o.disabled && 'disabled', o.frequency !== null && `frequency ${o.frequency}`, o.timeframe !== null && `timeframe ${o.timeframe} s`].filter(Boolean).join(', ')}
            {' '}by {o.updated_by ?? 'unknown'} on {formatDateTime(o.updated_at)}: “{o.note}”.
            {o.stale && ' Check that the override still makes sense for the new rule.'}
          </span>
        </div>
      )}
      {(set.error || del.error) && <div className="banner danger" role="alert">{errorMessage(set.error ?? del.error)}</div>}
      <div className="form-grid">
        <Field label="Level" htmlFor="ov-level" help={`Written in the file: ${rule.base_level}`}>
          <select id="ov-level" className="select" value={level} onChange={(e) => setLevel(e.target.value)}>
            {Array.from({ length: 17 }, (_, i) => (
              <option key={i} value={i}>
                {i}{i === rule.base_level ? ' (as written)' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label="State" htmlFor="ov-disabled">
          <label className="checkbox" style={{ height: 32 }}>
            <input id="ov-disabled" type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} /> Disable this rule
          </label>
        </Field>
        {hasCorrelation && (
          <>
            <Field label="Frequency" htmlFor="ov-freq" help={`As written: ${rule.frequency}`}>
              <input id="ov-freq" className="input" inputMode="numeric" value={frequency} placeholder={String(rule.frequency)} onChange={(e) => setFrequency(e.target.value.replace(/\D/g, ''))} />
            </Field>
            <Field label="Timeframe (seconds)" htmlFor="ov-tf" help={`As written: ${rule.timeframe ?? '—'}`}>
              <input id="ov-tf" className="input" inputMode="numeric" value={timeframe} placeholder={String(rule.timeframe ?? '')} onChange={(e) => setTimeframe(e.target.value.replace(/\D/g, ''))} />
            </Field>
          </>
        )}
        <div className="span-2">
          <Field label="Note" htmlFor="ov-note" help="Required: why this rule is tuned. Kept with the override and in the audit log." error={touched && noNote ? 'Write a note.' : undefined}>
            <input id="ov-note" className="input" value={note} onChange={(e) => setNote(e.target.value)} aria-invalid={touched && noNote} placeholder="e.g. Too noisy on our bastion host" />
          </Field>
        </div>
      </div>
      <div className="row">
        <Button type="submit" variant="primary" busy={set.isPending}>
          {o ? 'Update override' : 'Save override'}
        </Button>
        {o && (
          <Button variant="ghost" busy={del.isPending} onClick={remove}>
            Remove override
          </Button>
        )}
      </div>
    </form>
  );
}
