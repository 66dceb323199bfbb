// The dashboard's notification settings written back into the config: the e-mail elements inside
// <global>, <email_alert_level> inside <alerts>, <notify_blocks> inside <portcullis>, and the
// top-level <email_alerts> and <integration> blocks, and <smtp> inside <portcullis> (never a
// password: only the file that holds it). Only those elements change; the rest of the
// file (comments, other settings, the admin's indentation) stays as it was.
import { RulesetError, parseXml, type XmlElement } from '@portcullis/engine';
import type { EmailRuleSettings, EmailSettings, IntegrationSettings, NotificationSave, NotifyIssue, SmtpSettings } from '@portcullis/shared';
import { findBlocks, replaceBlocks } from '../responses/response-blocks.js';
import { parseEmailRule, parseIntegration, parseNotifyConfig, type NotifyConfig } from './notify-config.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const el = (name: string, value: string | number): string => `<${name}>${esc(String(value))}</${name}>`;

export function globalEmailLines(e: EmailSettings): string[] {
  const out = [el('email_notification', e.enabled ? 'yes' : 'no')];
  for (const to of e.to) out.push(el('email_to', to));
  if (e.smtp_server) out.push(el('smtp_server', e.smtp_server));
  if (e.from) out.push(el('email_from', e.from));
  if (e.reply_to) out.push(el('email_reply_to', e.reply_to));
  if (e.maxperhour !== 12) out.push(el('email_maxperhour', e.maxperhour));
  if (e.idsname) out.push(el('email_idsname', e.idsname));
  return out;
}

export function emailRuleXml(r: EmailRuleSettings, indent: string): string {
  const inner = [...r.to.map((t) => el('email_to', t))];
  if (r.level !== null) inner.push(el('level', r.level));
  if (r.group) inner.push(el('group', r.group));
  if (r.event_location) inner.push(el('event_location', r.event_location));
  if (r.rule_id.length > 0) inner.push(el('rule_id', r.rule_id.join(', ')));
  if (r.format === 'sms') inner.push(el('format', 'sms'));
  if (r.do_not_delay) inner.push('<do_not_delay />');
  if (r.do_not_group) inner.push('<do_not_group />');
  return `${indent}<email_alerts>\n${inner.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}</email_alerts>`;
}

export function integrationXml(i: IntegrationSettings, indent: string): string {
  const inner = [el('name', i.name), el('hook_url', i.hook_url)];
  if (i.api_key) inner.push(el('api_key', i.api_key));
  if (i.level !== null) inner.push(el('level', i.level));
  if (i.rule_id.length > 0) inner.push(el('rule_id', i.rule_id.join(',')));
  if (i.group.length > 0) inner.push(el('group', i.group.join(',')));
  if (i.event_location) inner.push(el('event_location', i.event_location));
  inner.push(el('alert_format', 'json'));
  const attr = i.notify_blocks === null ? '' : ` notify_blocks="${i.notify_blocks.length ? i.notify_blocks.join(',') : 'none'}"`;
  return `${indent}<integration${attr}>\n${inner.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}</integration>`;
}

const yn = (b: boolean): string => (b ? 'yes' : 'no');

/** `<smtp>…</smtp>` on one line, or null when every setting is its default (the element is then removed). */
export function smtpXml(m: SmtpSettings): string | null {
  const inner: string[] = [];
  if (m.port !== null) inner.push(el('port', m.port));
  if (m.tls) inner.push(el('tls', 'yes'));
  if (m.starttls !== null) inner.push(el('starttls', yn(m.starttls)));
  if (m.user) inner.push(el('user', m.user));
  if (m.password_file) inner.push(el('password_file', m.password_file));
  if (m.ca_file) inner.push(el('ca_file', m.ca_file));
  if (m.insecure_tls) inner.push(el('insecure_tls', 'yes'));
  return inner.length ? `<smtp>${inner.join('')}</smtp>` : null;
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function endOf(text: string, start: number, name: string): number {
  const self = /^<[\w-]+(\s[^>]*)?\/>/.exec(text.slice(start, text.indexOf('>', start) + 1));
  if (self) return start + self[0].length;
  const close = text.indexOf(`</${name}`, start);
  return text.indexOf('>', close) + 1;
}

const lineStartOf = (text: string, at: number): number => text.lastIndexOf('\n', at - 1) + 1;
const aloneBefore = (text: string, at: number): boolean => /^[ \t]*$/.test(text.slice(lineStartOf(text, at), at));

/**
 * Replaces the children named in `names` of the first `<section>` with `lines` (one element each),
 * where the first of them was (else before `</section>`); adds the section before
 * `</ossec_config>` when there is none and there is something to write.
 */
export function setSectionChildren(text: string, file: string, section: string, names: ReadonlySet<string>, lines: string[]): string {
  const root = parseXml(text, file).find((r) => r.name === 'ossec_config');
  if (!root) return text;
  const starts = lineStarts(text);
  const offset = (e: XmlElement): number => starts[e.line - 1]! + e.column - 1;
  const sec = root.children.find((c) => c.name === section);
  if (!sec) {
    if (lines.length === 0) return text;
    const close = text.lastIndexOf('</ossec_config>');
    const at = aloneBefore(text, close) ? lineStartOf(text, close) : close;
    const block = `  <${section}>\n${lines.map((l) => `    ${l}`).join('\n')}\n  </${section}>\n\n`;
    return `${text.slice(0, at)}${at > 0 && text[at - 1] !== '\n' ? '\n' : ''}${block}${text.slice(at)}`;
  }
  const secStart = offset(sec);
  const secIndent = aloneBefore(text, secStart) ? text.slice(lineStartOf(text, secStart), secStart) : '';
  const first = sec.children[0];
  const indent = first && aloneBefore(text, offset(first)) ? text.slice(lineStartOf(text, offset(first)), offset(first)) : `${secIndent}  `;
  const spans = sec.children.filter((c) => names.has(c.name)).map((c) => {
    const s = offset(c);
    const e = endOf(text, s, c.name);
    // Alone on its line(s): cut the whole lines.
    const nl = text.indexOf('\n', e);
    const restBlank = /^[ \t]*\r?$/.test(text.slice(e, nl < 0 ? text.length : nl));
    return aloneBefore(text, s) && restBlank ? { from: lineStartOf(text, s), to: nl < 0 ? text.length : nl + 1, whole: true } : { from: s, to: e, whole: false };
  });
  const body = lines.map((l) => `${indent}${l}\n`).join('');
  if (spans.length === 0) {
    if (lines.length === 0) return text;
    const secEnd = endOf(text, secStart, section);
    const close = text.lastIndexOf(`</${section}`, secEnd);
    if (close < secStart) {
      // <section/>: write it open.
      return `${text.slice(0, secStart)}<${section}>\n${body}${secIndent}</${section}>${text.slice(secEnd)}`;
    }
    const at = aloneBefore(text, close) ? lineStartOf(text, close) : close;
    return `${text.slice(0, at)}${at === close ? '\n' : ''}${body}${at === close ? secIndent : ''}${text.slice(at)}`;
  }
  let out = '';
  let pos = 0;
  spans.forEach((s, n) => {
    out += text.slice(pos, s.from);
    if (n === 0) out += s.whole ? body : body.trim();
    pos = s.to;
  });
  return out + text.slice(pos);
}

const GLOBAL_EMAIL = new Set(['email_notification', 'email_to', 'email_from', 'smtp_server', 'email_maxperhour', 'email_reply_to', 'email_idsname']);

/** The config with the dashboard's settings in place. */
export function applySettings(text: string, file: string, s: NotificationSave): string {
  let out = setSectionChildren(text, file, 'global', GLOBAL_EMAIL, globalEmailLines(s.email));
  out = setSectionChildren(out, file, 'alerts', new Set(['email_alert_level']), s.email.alert_level === 7 ? [] : [el('email_alert_level', s.email.alert_level)]);
  out = setSectionChildren(out, file, 'portcullis', new Set(['notify_blocks']), s.notify_blocks.length ? [el('notify_blocks', s.notify_blocks.join(','))] : []);
  if (s.smtp) {
    const smtp = smtpXml(s.smtp);
    out = setSectionChildren(out, file, 'portcullis', new Set(['smtp']), smtp ? [smtp] : []);
  }
  const kinds = new Set(['email_alerts', 'integration']);
  const found = findBlocks(out, file, kinds);
  const xml = [...s.email_alerts.map((r) => emailRuleXml(r, '  ')), ...s.integrations.map((i) => integrationXml(i, '  '))].join('\n\n');
  if (xml === '' && found.blocks.length === 0) return out;
  return replaceBlocks(out, found, xml === '' ? '' : `${xml}\n`).text;
}

function check(issues: NotifyIssue[], field: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof RulesetError)) throw err;
    issues.push({ field, message: err.message });
  }
}

/** Each part on its own, so an error says which field it is in. */
export function validateSettings(s: NotificationSave): NotifyIssue[] {
  const issues: NotifyIssue[] = [];
  check(issues, 'email', () => {
    const xml = `<global>${globalEmailLines(s.email).join('')}</global>${s.email_alerts.length ? '<email_alerts><email_to>x@y</email_to></email_alerts>' : ''}`;
    parseNotifyConfig(parseXml(xml, 'e-mail settings'));
  });
  if (s.smtp) {
    const smtp = smtpXml(s.smtp);
    if (smtp) check(issues, 'smtp', () => parseNotifyConfig(parseXml(`<portcullis>${smtp}</portcullis>`, '<portcullis><smtp>')));
  }
  s.email_alerts.forEach((r, n) => check(issues, `email_alerts.${n}`, () => parseEmailRule(parseXml(emailRuleXml(r, ''), `e-mail rule ${n + 1}`)[0]!, n)));
  const names = new Set<string>();
  s.integrations.forEach((i, n) => {
    check(issues, `integrations.${n}`, () => parseIntegration(parseXml(integrationXml(i, ''), `integration ${n + 1}`)[0]!, n));
    const key = `${i.name} ${i.hook_url}`;
    if (names.has(key)) issues.push({ field: `integrations.${n}`, message: `${i.name} to ${i.hook_url} is there twice` });
    names.add(key);
  });
  return issues;
}

/** A save keeps an integration's api_key when the form sends none (keys are never sent to the browser). */
export function keepApiKeys(s: NotificationSave, current: NotifyConfig): NotificationSave {
  return {
    ...s,
    integrations: s.integrations.map((i, n) => {
      if (i.api_key) return i;
      if (i.api_key === null && i.api_key_set === false) return { ...i, api_key: null };
      // By name and URL, else by name (its URL edited), else in its place (renamed in place by the form).
      const old = current.integrations.find((o) => o.name === i.name && o.hookUrl === i.hook_url) ?? current.integrations.find((o) => o.name === i.name)
        ?? (i.api_key_set === true && s.integrations.length === current.integrations.length ? current.integrations[n] : undefined);
      return { ...i, api_key: old?.apiKey ?? null };
    }),
  };
}
