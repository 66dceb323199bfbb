// What is sent: OSSEC's mail (full and sms formats, and the digest of alerts held back by
// email_maxperhour), Wazuh's JSON alert for custom-* webhooks and Slack's attachment, each with
// what OSSEC cannot say: the block the alert caused and a link to the address's timeline.
import type { BlockEventKind } from './notify-config.js';

export interface AlertView {
  id: number;
  time: number;
  ruleId: number;
  level: number;
  description: string;
  groups: string[];
  decoder: string | null;
  srcip: string | null;
  user: string | null;
  hostname: string | null;
  location: string;
  fullLog: string;
  fields: Record<string, string>;
  /** The registered host the line came from, or null for the server's own logs. */
  host: string | null;
}

/** The block an alert led to (created or extended when the alert was decided). */
export interface BlockView {
  id: number;
  ip: string | null;
  command: string;
  /** created, extended, refused */
  what: string;
  timeout: number;
  offense: number;
  detail: string | null;
}

export interface BlockEventView {
  kind: BlockEventKind;
  eventId: number;
  blockId: number;
  time: number;
  ip: string | null;
  command: string;
  ruleId: number | null;
  actor: string | null;
  detail: string | null;
  timeout: number;
}

export interface FormatContext {
  /** This server's name (`manager.name`; the mail's host when the alert has none). */
  manager: string;
  /** <email_idsname>, else "Portcullis". */
  idsname: string | null;
  /** The dashboard's address, for links. */
  publicUrl: string;
}

export interface MailPayload {
  subject: string;
  text: string;
}

export interface WebhookPayload {
  body: unknown;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** OSSEC's date line: `2024 Nov 28 10:00:00` (local time). */
function ossecDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Wazuh's timestamp: `2024-11-28T10:00:00.000+0000`. */
function wazuhTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function timelineUrl(ctx: FormatContext, ip: string | null): string | null {
  return ip ? `${ctx.publicUrl}/ips/${encodeURIComponent(ip)}` : null;
}

/** Where OSSEC's "Received From" comes from: `(host) ip->location`, or `hostname->location`. */
function receivedFrom(a: AlertView): string {
  if (a.host) return a.location.startsWith('(') ? a.location : `(${a.host}) ${a.location}`;
  return a.hostname ? `${a.hostname}->${a.location}` : a.location;
}

function hostOf(a: AlertView, ctx: FormatContext): string {
  return a.host ?? a.hostname ?? ctx.manager;
}

export function describeBlock(b: BlockView): string {
  const addr = b.ip ?? 'no address';
  if (b.what === 'refused') return `not blocked: ${addr} — ${b.detail ?? 'refused'}`;
  const length = b.timeout > 0 ? `for ${b.timeout} s` : 'until released';
  return `${b.what === 'extended' ? 'block extended' : 'blocked'}: ${addr} with ${b.command} ${length}, offense ${b.offense} (block ${b.id})`;
}

export function alertMail(a: AlertView, block: BlockView | null, ctx: FormatContext, format: 'full' | 'sms'): MailPayload {
  if (format === 'sms') {
    // OSSEC's sms form: a short subject and the essentials, for a pager or a phone.
    const subject = `Portcullis ${a.level} - ${a.ruleId} - ${hostOf(a, ctx)}`;
    const text = [`Rule: ${a.ruleId} (level ${a.level}) ${a.description}`, a.srcip ? `Src IP: ${a.srcip}` : null, block ? describeBlock(block) : null]
      .filter(Boolean).join('\n');
    return { subject, text: text.slice(0, 300) };
  }
  const link = timelineUrl(ctx, block?.ip ?? a.srcip);
  const lines = [
    'Portcullis Notification.',
    ossecDate(a.time),
    '',
    `Received From: ${receivedFrom(a)}`,
    `Rule: ${a.ruleId} fired (level ${a.level}) -> "${a.description}"`,
  ];
  if (a.srcip) lines.push(`Src IP: ${a.srcip}`);
  if (a.user) lines.push(`User: ${a.user}`);
  lines.push('Portion of the log(s):', '', a.fullLog, '');
  if (block) lines.push(`Response: ${describeBlock(block)}`);
  if (link) lines.push(`Timeline: ${link}`);
  lines.push('', '', ' --END OF NOTIFICATION', '');
  return { subject: `Portcullis Notification - ${hostOf(a, ctx)} - Alert level ${a.level}`, text: lines.join('\n') };
}

const BLOCK_WORDS: Record<BlockEventKind, string> = { added: 'Block added', failed: 'Block failed', released: 'Block released', expired: 'Block expired' };

function blockSentence(e: BlockEventView): string {
  const addr = e.ip ?? 'no address';
  switch (e.kind) {
    case 'added': return `${addr} is blocked by ${e.command} ${e.timeout > 0 ? `for ${e.timeout} s` : 'until released'}${e.ruleId !== null ? ` (rule ${e.ruleId})` : e.actor ? ` (by ${e.actor})` : ''}.`;
    case 'failed': return `Blocking ${addr} with ${e.command} failed${e.detail ? `: ${e.detail}` : ''}.`;
    case 'released': return `${addr} was released by ${e.actor ?? 'someone'}${e.detail ? `: ${e.detail}` : ''}.`;
    case 'expired': return `The block of ${addr} (${e.command}) expired${e.detail ? ` after ${e.detail.replace(/^timeout /, '')}` : ''}.`;
  }
}

export function blockMail(e: BlockEventView, ctx: FormatContext): MailPayload {
  const link = timelineUrl(ctx, e.ip);
  const lines = ['Portcullis Notification.', ossecDate(e.time), '', `${BLOCK_WORDS[e.kind]}: ${blockSentence(e)}`, `Block: ${e.blockId} (${e.command})`];
  if (e.detail && e.kind !== 'released' && e.kind !== 'failed') lines.push(`Detail: ${e.detail}`);
  if (link) lines.push(`Timeline: ${link}`);
  lines.push('', '', ' --END OF NOTIFICATION', '');
  return { subject: `Portcullis Notification - ${ctx.idsname ?? ctx.manager} - ${BLOCK_WORDS[e.kind]}: ${e.ip ?? e.command}`, text: lines.join('\n') };
}

/** The mail for alerts held back by email_maxperhour: one message, every alert's full text. */
/** `why`: 'held' (past email_maxperhour, sent the next hour) or 'grouped' (arriving close together, as OSSEC's maild groups them). */
export function digestMail(items: Array<{ subject: string; text: string }>, ctx: FormatContext, from: number, to: number, why: 'held' | 'grouped' = 'held'): MailPayload {
  const head = [
    'Portcullis Notification (grouped).',
    why === 'held'
      ? `${items.length} notifications held back by email_maxperhour between ${ossecDate(from)} and ${ossecDate(to)}.`
      : `${items.length} alerts arriving close together between ${ossecDate(from)} and ${ossecDate(to)}.`,
    '',
  ];
  const parts = items.map((i, n) => `----- ${n + 1}/${items.length}: ${i.subject}\n\n${i.text.replace(/\n*\s*--END OF NOTIFICATION\s*$/, '')}`);
  return { subject: `Portcullis Notification - ${ctx.idsname ?? ctx.manager} - ${items.length} alerts grouped`, text: `${head.join('\n')}${parts.join('\n\n')}\n\n --END OF NOTIFICATION\n` };
}

function portcullisPart(block: BlockView | null, link: string | null): Record<string, unknown> {
  return {
    block: block ? { id: block.id, ip: block.ip, command: block.command, action: block.what, timeout: block.timeout, offense: block.offense, summary: describeBlock(block) } : null,
    timeline_url: link,
  };
}

/** Wazuh's alert as integratord hands it to custom-* integrations, plus a `portcullis` object. */
export function wazuhAlert(a: AlertView, block: BlockView | null, ctx: FormatContext): Record<string, unknown> {
  const data: Record<string, string> = { ...a.fields };
  if (a.srcip) data.srcip = a.srcip;
  if (a.user && !data.dstuser && !data.srcuser) data.dstuser = a.user;
  const out: Record<string, unknown> = {
    timestamp: wazuhTime(a.time),
    rule: { level: a.level, description: a.description, id: String(a.ruleId), groups: a.groups },
    agent: a.host ? { id: a.host, name: a.host } : { id: '000', name: ctx.manager },
    manager: { name: ctx.manager },
    id: String(a.id),
    full_log: a.fullLog,
    decoder: a.decoder ? { name: a.decoder } : {},
    data,
    location: a.location,
  };
  if (a.hostname) out.predecoder = { hostname: a.hostname };
  out.portcullis = portcullisPart(block, timelineUrl(ctx, block?.ip ?? a.srcip));
  return out;
}

const BLOCK_LEVEL: Record<BlockEventKind, number> = { added: 3, failed: 10, released: 3, expired: 3 };

/** A block event in the shape of a Wazuh alert (as Wazuh's own active-response alerts come). */
export function wazuhBlockEvent(e: BlockEventView, ctx: FormatContext): Record<string, unknown> {
  return {
    timestamp: wazuhTime(e.time),
    rule: { level: BLOCK_LEVEL[e.kind], description: `${BLOCK_WORDS[e.kind]}: ${blockSentence(e)}`, id: `portcullis-block-${e.kind}`, groups: ['portcullis', 'active_response'] },
    agent: { id: '000', name: ctx.manager },
    manager: { name: ctx.manager },
    id: `block-${e.eventId}`,
    full_log: blockSentence(e),
    decoder: { name: 'portcullis' },
    data: { ...(e.ip ? { srcip: e.ip } : {}), command: e.command, ...(e.actor ? { actor: e.actor } : {}) },
    location: 'portcullis-active-response',
    portcullis: {
      event: `block-${e.kind}`,
      block: { id: e.blockId, ip: e.ip, command: e.command, timeout: e.timeout, rule_id: e.ruleId, actor: e.actor, detail: e.detail },
      timeline_url: timelineUrl(ctx, e.ip),
    },
  };
}

const slackColor = (level: number): string => (level <= 4 ? 'good' : level <= 7 ? 'warning' : 'danger');

/** Slack's incoming-webhook attachment, as Wazuh's slack integration builds it. */
export function slackAlert(a: AlertView, block: BlockView | null, ctx: FormatContext): Record<string, unknown> {
  const link = timelineUrl(ctx, block?.ip ?? a.srcip);
  const fields: Array<{ title: string; value: string }> = [
    { title: 'Agent', value: a.host ? `(${a.host}) - ${a.host}` : `(000) - ${ctx.manager}` },
    { title: 'Location', value: a.location },
    { title: 'Rule ID', value: `${a.ruleId} _(Level ${a.level})_` },
  ];
  if (a.srcip) fields.push({ title: 'Src IP', value: a.srcip });
  if (block) fields.push({ title: 'Response', value: describeBlock(block) });
  return {
    attachments: [{
      color: slackColor(a.level), pretext: 'Portcullis Alert', title: a.description, ...(link ? { title_link: link } : {}),
      text: a.fullLog, fields, ts: Math.floor(a.time / 1000),
    }],
  };
}

export function slackBlockEvent(e: BlockEventView, ctx: FormatContext): Record<string, unknown> {
  const link = timelineUrl(ctx, e.ip);
  return {
    attachments: [{
      color: slackColor(BLOCK_LEVEL[e.kind]), pretext: 'Portcullis Active Response', title: BLOCK_WORDS[e.kind], ...(link ? { title_link: link } : {}),
      text: blockSentence(e), fields: [{ title: 'Block', value: `${e.blockId} (${e.command})` }], ts: Math.floor(e.time / 1000),
    }],
  };
}

export function testPayloads(ctx: FormatContext, who: string, now: number): { mail: MailPayload; webhook: Record<string, unknown>; slack: Record<string, unknown> } {
  const text = `A test notification sent from the dashboard by ${who}.`;
  return {
    mail: { subject: `Portcullis Notification - ${ctx.idsname ?? ctx.manager} - Test`, text: `Portcullis Notification.\n${ossecDate(now)}\n\n${text}\n\n\n --END OF NOTIFICATION\n` },
    webhook: {
      timestamp: wazuhTime(now), rule: { level: 0, description: 'Portcullis test notification', id: 'portcullis-test', groups: ['portcullis', 'test'] },
      agent: { id: '000', name: ctx.manager }, manager: { name: ctx.manager }, id: `test-${now}`, full_log: text, decoder: {}, data: {}, location: 'portcullis',
      portcullis: { event: 'test', by: who },
    },
    slack: { attachments: [{ color: 'good', pretext: 'Portcullis', title: 'Test notification', text }] },
  };
}
