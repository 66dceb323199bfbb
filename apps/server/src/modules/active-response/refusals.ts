// Why an active response did not run, as a person reads it. The text is stored as the refused
// block's reason; repeated refusals with the same text count as hits on one row.
import type { ArRefusal } from '@portcullis/engine';

export type Refusal =
  | ArRefusal
  | { kind: 'no-agents'; location: string }
  | { kind: 'no-host'; location: string; names: string[] }
  | { kind: 'unsafe-filename'; value: string }
  | { kind: 'protected'; why: string }
  | { kind: 'grace'; until: number; by: string | null };

/** A hostile value shown safely: quoted, escaped, cut. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

export function refusalText(r: Refusal): string {
  switch (r.kind) {
    case 'unsafe-user':
      return `unsafe user ${shown(r.value)} (possible injection)`;
    case 'unsafe-srcip':
      return `unsafe srcip ${shown(r.value)} (possible injection)`;
    case 'bad-srcip':
      return `srcip ${shown(r.value)} ${r.reason}`;
    case 'unsafe-filename':
      return `unsafe filename ${shown(r.value)} (possible injection)`;
    case 'missing-field':
      return `the command expects ${r.field}, which the alert does not have`;
    case 'white-listed':
      return `white-listed (${r.entry})`;
    case 'no-agents':
      return `location "${r.location}" runs on agents: no agents configured`;
    case 'no-host':
      return `location "${r.location}" targets ${r.names.length > 0 ? r.names.map((n) => shown(n)).join(', ') : 'no host'}: no such active registered host`;
    case 'protected':
      return `protected: ${r.why}`;
    case 'grace':
      return `grace period after a release${r.by ? ` by ${r.by}` : ''}, until ${new Date(r.until).toISOString()}`;
  }
}
