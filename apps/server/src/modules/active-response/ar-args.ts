// What may reach a script, and in what form. Every value passed to an active-response script goes
// through here: an address must be the engine's canonical text (`parseIp`; for an add, `blockTarget`,
// which also refuses meaningless addresses), a user must match OSSEC's safe pattern, the other
// fields a conservative character set. Nothing else is passed.
import { blockTarget, parseIp } from '@portcullis/engine';

/** The engine's one reading of an address (strict, IPv4-mapped as IPv4, canonical), or null. */
export { canonicalIp } from '@portcullis/engine';

/** OSSEC's anti-injection pattern for users (analysisd, spec §6.1), with a length bound. */
const SAFE_USER = /^[a-zA-Z._0-9@?-]{1,64}$/;
/** Locations are file paths, `journald`, `syslog:…`, `(agent) ip->path`: no control characters, no quotes, no `$` or `` ` ``. */
const SAFE_LOCATION = /^[\w ./:@,+=()>[\]-]{1,512}$/;
const SAFE_FILENAME = /^[\w./@,+=:-]{1,512}$/;
const SAFE_EXTRA = /^[\w./@,+=:-]{1,256}$/;
const ALERT_ID = /^\d{1,12}\.\d{1,16}$/;

export class UnsafeValueError extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`unsafe ${field} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
  }
}

/** OSSEC's pattern, and no leading `-`: a user is passed on to commands (`passwd -l USER`) and must not read as an option. */
export function safeUser(v: string): boolean {
  return SAFE_USER.test(v) && !v.startsWith('-');
}

const DOT_DOT = /(^|\/)\.\.(\/|$)/;

export function safeLocation(v: string): boolean {
  return SAFE_LOCATION.test(v) && !v.startsWith('-') && !DOT_DOT.test(v);
}

/** A file name: no `..` segment, no leading `-`, a conservative character set. */
export function safeFilename(v: string): boolean {
  return SAFE_FILENAME.test(v) && !v.startsWith('-') && !DOT_DOT.test(v);
}

/** The fields of one request, each validated or null. */
export interface ArFields {
  user: string | null;
  ip: string | null;
  /** OSSEC's `<time>.<alert id>`, or null for a manual block. */
  alertId: string | null;
  ruleId: number | null;
  location: string | null;
  filename: string | null;
}

export type ArAction = 'add' | 'delete' | 'check';

/**
 * Re-checks every field (defence in depth: callers validate first) and throws on the first bad one.
 * The address must already be canonical; an add also refuses a meaningless one (a delete or check
 * of a row stored before that rule existed still runs, so it can be undone).
 */
export function assertSafe(f: ArFields, extraArgs: readonly string[], action: ArAction = 'add'): void {
  if (f.user !== null && !safeUser(f.user)) throw new UnsafeValueError('user', f.user);
  if (f.ip !== null) {
    const r = action === 'add' ? blockTarget(f.ip) : parseIp(f.ip);
    if (!r.ok || r.address.text !== f.ip) throw new UnsafeValueError('srcip', f.ip);
  }
  if (f.alertId !== null && !ALERT_ID.test(f.alertId)) throw new UnsafeValueError('alert id', f.alertId);
  if (f.ruleId !== null && !(Number.isInteger(f.ruleId) && f.ruleId >= 0)) throw new UnsafeValueError('rule id', String(f.ruleId));
  if (f.location !== null && !safeLocation(f.location)) throw new UnsafeValueError('location', f.location);
  if (f.filename !== null && !safeFilename(f.filename)) throw new UnsafeValueError('filename', f.filename);
  for (const a of extraArgs) if (!SAFE_EXTRA.test(a) || a.startsWith('-')) throw new UnsafeValueError('extra_args', a);
}

/** OSSEC's argv: `$1` action, `$2` user, `$3` srcip, `$4` alert id, `$5` rule id, `$6` location, `$7` filename. */
export function ossecArgv(action: ArAction, f: ArFields, extraArgs: readonly string[]): string[] {
  assertSafe(f, extraArgs, action);
  const d = (v: string | number | null): string => (v === null ? '-' : String(v));
  if (action === 'check') return ['check', d(f.user), d(f.ip)];
  return [action, d(f.user), d(f.ip), d(f.alertId), d(f.ruleId), d(f.location), d(f.filename), ...extraArgs];
}

export interface JsonAlertInfo {
  /** ms since the epoch */
  time: number;
  ruleLevel: number | null;
  ruleDescription: string | null;
  ruleGroups: string[];
  decoder: string | null;
  hostname: string;
}

const SAFE_TEXT = /^[\w .,:;()/@+=-]{0,256}$/;

/**
 * Wazuh's execd → script message (spec §6.3) built from validated fields only: `data` carries the
 * address, user and file name, never the raw log line or other decoded fields, so nothing an
 * attacker wrote reaches a script unchecked. Rule description and groups come from the ruleset.
 */
export function wazuhMessage(action: 'add' | 'delete', commandName: string, program: string, f: ArFields, extraArgs: readonly string[], info: JsonAlertInfo): string {
  assertSafe(f, extraArgs, action);
  const data: Record<string, string> = {};
  if (f.ip !== null) data.srcip = f.ip;
  if (f.user !== null) data.dstuser = f.user;
  if (f.filename !== null) data.filename = f.filename;
  const text = (v: string | null): string | undefined => (v !== null && SAFE_TEXT.test(v) ? v : undefined);
  const alert = {
    timestamp: new Date(info.time).toISOString().replace('Z', '+0000'),
    rule: {
      level: info.ruleLevel ?? 0,
      description: text(info.ruleDescription) ?? '',
      id: f.ruleId === null ? '' : String(f.ruleId),
      groups: info.ruleGroups.filter((g) => SAFE_TEXT.test(g)),
    },
    agent: { id: '000', name: info.hostname },
    manager: { name: info.hostname },
    id: f.alertId ?? '',
    decoder: { name: text(info.decoder) ?? '' },
    data,
    location: f.location ?? '',
  };
  return JSON.stringify({
    version: 1,
    origin: { name: info.hostname, module: 'wazuh-execd' },
    command: action,
    parameters: { extra_args: [...extraArgs], alert, program: `active-response/bin/${program}` },
  });
}

/** The same message with another command (execd stores the add message and replays it as delete). */
export function withCommand(message: string, action: 'add' | 'delete'): string {
  const m = JSON.parse(message) as { command: string };
  m.command = action;
  return JSON.stringify(m);
}

export const EXECD_CONTINUE = JSON.stringify({ version: 1, origin: { name: 'portcullis', module: 'wazuh-execd' }, command: 'continue', parameters: {} });
