// Which destinations an alert or a block event goes to, as OSSEC's maild and Wazuh's integratord
// decide it. A destination is a stable key (what it is, where it goes), so an outbox row keyed by
// (alert, destination) is the same row however often the alert is read.
import type { BlockEventKind, EmailRule, Integration, NotifyConfig } from './notify-config.js';

export interface AlertFacts {
  level: number;
  ruleId: number;
  groups: readonly string[];
  location: string;
  /** The rule's <options>: alert_by_email, no_email_alert. */
  options: ReadonlySet<string>;
}

export type Destination =
  | { channel: 'email'; key: string; label: string; to: string[]; format: 'full' | 'sms'; doNotDelay: boolean; doNotGroup: boolean }
  | { channel: 'slack' | 'webhook'; key: string; label: string; integration: Integration };

/**
 * OSSEC's OS_Match, the part configs use: `a|b` alternatives, each a case-insensitive substring,
 * `^` anchoring at the start and `$` at the end.
 */
export function osMatch(pattern: string, value: string): boolean {
  const v = value.toLowerCase();
  return pattern.toLowerCase().split('|').some((alt) => {
    let p = alt;
    const start = p.startsWith('^');
    const end = p.endsWith('$') && !p.endsWith('\\$');
    if (start) p = p.slice(1);
    if (end) p = p.slice(0, -1);
    if (start && end) return v === p;
    if (start) return v.startsWith(p);
    if (end) return v.endsWith(p);
    return v.includes(p);
  });
}

/** OSSEC's group string: every group followed by a comma. */
const groupString = (groups: readonly string[]): string => groups.map((g) => `${g},`).join('');

export function emailDestination(to: string[], format: 'full' | 'sms', doNotDelay = false, doNotGroup = false): Destination {
  const sorted = [...new Set(to)].sort();
  return { channel: 'email', key: `email:${sorted.join(',')}:${format}`, label: `e-mail to ${sorted.join(', ')}${format === 'sms' ? ' (sms)' : ''}`, to: sorted, format, doNotDelay, doNotGroup };
}

export function integrationDestination(i: Integration): Destination {
  return { channel: i.kind === 'slack' ? 'slack' : 'webhook', key: `integration:${i.name}:${i.hookUrl}`, label: i.name, integration: i };
}

function ruleMatches(r: EmailRule, a: AlertFacts, defaultLevel: number): boolean {
  if (a.level < (r.level ?? defaultLevel) && !a.options.has('alert_by_email')) return false;
  if (r.ruleIds.length > 0 && !r.ruleIds.includes(a.ruleId)) return false;
  if (r.group !== null && !osMatch(r.group, groupString(a.groups))) return false;
  if (r.eventLocation !== null && !osMatch(r.eventLocation, a.location)) return false;
  return true;
}

function integrationMatches(i: Integration, a: AlertFacts): boolean {
  if (i.level !== null && a.level < i.level) return false;
  if (i.ruleIds.length > 0 && !i.ruleIds.includes(a.ruleId)) return false;
  if (i.groups.length > 0 && !i.groups.some((g) => a.groups.includes(g))) return false;
  if (i.eventLocation !== null && !osMatch(i.eventLocation, a.location)) return false;
  return true;
}

/**
 * Where an alert goes. E-mail (only with email_notification yes): never for a rule with
 * no_email_alert; always for one with alert_by_email; else the global recipients from
 * email_alert_level and each granular <email_alerts> whose filters match (its <level>, default
 * email_alert_level). Integrations: their own filters, as Wazuh (no level: every alert).
 * Two matches with the same recipients and format make one mail.
 */
export function destinationsForAlert(n: NotifyConfig, a: AlertFacts): Destination[] {
  const out = new Map<string, Destination>();
  const add = (d: Destination) => {
    if (!out.has(d.key)) out.set(d.key, d);
  };
  if (n.email.enabled && !a.options.has('no_email_alert')) {
    if (n.email.to.length > 0 && (a.level >= n.email.alertLevel || a.options.has('alert_by_email'))) add(emailDestination(n.email.to, 'full'));
    for (const r of n.emailRules) if (ruleMatches(r, a, n.email.alertLevel)) add(emailDestination(r.to, r.format, r.doNotDelay, r.doNotGroup));
  }
  for (const i of n.integrations) if (integrationMatches(i, a)) add(integrationDestination(i));
  return [...out.values()];
}

/** Where a block event goes: the global recipients and integrations per <notify_blocks> (an integration's own list wins). */
export function destinationsForBlock(n: NotifyConfig, kind: BlockEventKind): Destination[] {
  const out: Destination[] = [];
  if (n.email.enabled && n.email.to.length > 0 && n.blocks.includes(kind)) out.push(emailDestination(n.email.to, 'full'));
  for (const i of n.integrations) if ((i.blocks ?? n.blocks).includes(kind)) out.push(integrationDestination(i));
  return out;
}

/** Every destination the config names (for tests from the dashboard and for resolving queued rows). */
export function allDestinations(n: NotifyConfig): Destination[] {
  const out = new Map<string, Destination>();
  if (n.email.to.length > 0) {
    const d = emailDestination(n.email.to, 'full');
    out.set(d.key, d);
  }
  for (const r of n.emailRules) {
    const d = emailDestination(r.to, r.format, r.doNotDelay, r.doNotGroup);
    if (!out.has(d.key)) out.set(d.key, d);
  }
  for (const i of n.integrations) {
    const d = integrationDestination(i);
    if (!out.has(d.key)) out.set(d.key, d);
  }
  return [...out.values()];
}
