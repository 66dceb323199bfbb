// Who is told about what, read from the config: OSSEC's e-mail settings (<global> email_*,
// <alerts><email_alert_level>, granular <email_alerts>), Wazuh's <integration> blocks, and our
// <portcullis> additions (<smtp>, <notify_blocks>, the retry settings). Pure parsing from the XML
// tree: every bad value is a RulesetError with the element's file, line and column.
import { RulesetError, attrCI, type XmlElement } from '@portcullis/engine';

export const BLOCK_EVENT_KINDS = ['added', 'failed', 'released', 'expired'] as const;
export type BlockEventKind = (typeof BLOCK_EVENT_KINDS)[number];

export interface EmailGlobal {
  /** `<email_notification>yes</email_notification>`: mail is sent at all (granular rules included). */
  enabled: boolean;
  to: string[];
  from: string | null;
  smtpServer: string | null;
  maxPerHour: number;
  replyTo: string | null;
  idsname: string | null;
  /** `<alerts><email_alert_level>`, default 7. */
  alertLevel: number;
}

export interface EmailRule {
  /** Position among the config's <email_alerts> blocks. */
  index: number;
  to: string[];
  level: number | null;
  /** OSSEC match pattern (`a|b`, `^`, `$`) against the alert's groups (`g1,g2,`). */
  group: string | null;
  /** OSSEC match pattern against the alert's location. */
  eventLocation: string | null;
  ruleIds: number[];
  format: 'full' | 'sms';
  doNotDelay: boolean;
  doNotGroup: boolean;
  file: string;
  line: number;
}

export interface Integration {
  index: number;
  /** `slack` or `custom-…` (a JSON webhook). */
  name: string;
  kind: 'slack' | 'custom';
  hookUrl: string;
  apiKey: string | null;
  level: number | null;
  ruleIds: number[];
  /** Comma-separated groups in the config; any one of them. */
  groups: string[];
  eventLocation: string | null;
  alertFormat: 'json';
  /** `<integration notify_blocks="added,failed">`: overrides `<portcullis><notify_blocks>` for this one. */
  blocks: BlockEventKind[] | null;
  file: string;
  line: number;
}

export interface SmtpSettings {
  /** Default 25, or 465 with `tls`. */
  port: number | null;
  /** `yes`: STARTTLS is required; `no`: never; unset: used when the server offers it. */
  starttls: boolean | null;
  /** Implicit TLS from the first byte (port 465). */
  tls: boolean;
  user: string | null;
  /** A file holding the password (relative: from the config's home); or env PORTCULLIS_SMTP_PASSWORD. */
  passwordFile: string | null;
  /** A PEM file of the CA that signs the relay's certificate (a private CA); default the system's. */
  caFile: string | null;
  /** Accept any certificate (not recommended: prefer <ca_file>). */
  insecureTls: boolean;
}

export interface NotifyConfig {
  email: EmailGlobal;
  emailRules: EmailRule[];
  integrations: Integration[];
  smtp: SmtpSettings;
  /** Block events sent to the global e-mail recipients and to every integration without its own list. */
  blocks: BlockEventKind[];
  /** First retry after this long, doubled each time up to retryMaxMs; given up after maxAttempts. */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** Per attempt (connect + send). */
  timeoutMs: number;
  /**
   * OSSEC's grouping: alerts for one mail destination arriving less than this apart go as one mail
   * (`<email_group_seconds>`, default 5; 0: every alert alone). A mail waits at most
   * GROUP_MAX_WAIT_WINDOWS windows after its first alert.
   */
  groupWindowMs: number;
  /** At most this many alerts in one grouped mail (`<email_group_max>`, default 96 as OSSEC's mail list). */
  groupMax: number;
}

export function defaultNotifyConfig(): NotifyConfig {
  return {
    email: { enabled: false, to: [], from: null, smtpServer: null, maxPerHour: 12, replyTo: null, idsname: null, alertLevel: 7 },
    emailRules: [],
    integrations: [],
    smtp: { port: null, starttls: null, tls: false, user: null, passwordFile: null, caFile: null, insecureTls: false },
    blocks: [],
    retryBaseMs: 30_000,
    retryMaxMs: 3_600_000,
    maxAttempts: 12,
    timeoutMs: 10_000,
    groupWindowMs: 5_000,
    groupMax: 96,
  };
}

function fail(el: XmlElement, msg: string): never {
  throw new RulesetError('CONFIG', msg, el.file, el.line, el.column);
}

const text = (el: XmlElement): string => el.text.trim();

function yesNo(el: XmlElement): boolean {
  const v = text(el).toLowerCase();
  if (v === 'yes' || v === 'true' || v === '1') return true;
  if (v === 'no' || v === 'false' || v === '0') return false;
  fail(el, `<${el.name}> must be yes or no, not "${text(el)}"`);
}

function intOf(el: XmlElement, min: number, max: number): number {
  const v = text(el);
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) fail(el, `<${el.name}> must be a whole number from ${min} to ${max}, not "${v}"`);
  return Number(v);
}

function secondsOf(el: XmlElement, min: number): number {
  const v = text(el);
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < min) fail(el, `<${el.name}> must be a number of seconds ≥ ${min}, not "${v}"`);
  return Math.round(Number(v) * 1000);
}

/** A mail address as OSSEC configs write them (a trailing dot on the domain is tolerated). */
const ADDRESS = /^[^\s@<>(),;:"]+@[A-Za-z0-9.-]+$/;

function address(el: XmlElement): string {
  const v = text(el);
  if (!ADDRESS.test(v)) fail(el, `<${el.name}> must be an e-mail address (user@domain), not "${v}"`);
  return v;
}

function ruleIds(el: XmlElement): number[] {
  return text(el).split(/[\s,]+/).filter(Boolean).map((s) => {
    if (!/^\d+$/.test(s)) fail(el, `<${el.name}> item "${s}" is not a rule id`);
    return Number(s);
  });
}

function pattern(el: XmlElement): string {
  const v = text(el);
  if (v === '') fail(el, `<${el.name}> is empty`);
  return v;
}

export function blockKinds(value: string, el: XmlElement, what: string): BlockEventKind[] {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'none' || v === 'no') return [];
  if (v === 'all' || v === 'yes') return [...BLOCK_EVENT_KINDS];
  return [...new Set(v.split(/[\s,]+/).filter(Boolean).map((k) => {
    if (!(BLOCK_EVENT_KINDS as readonly string[]).includes(k)) fail(el, `${what}: "${k}" is not a block event (known: ${BLOCK_EVENT_KINDS.join(', ')}, all, none)`);
    return k as BlockEventKind;
  }))];
}

const EMAIL_GLOBAL = new Set(['email_notification', 'email_to', 'email_from', 'smtp_server', 'email_maxperhour', 'email_reply_to', 'email_idsname']);

function globalEmail(sec: XmlElement, e: EmailGlobal): void {
  for (const g of sec.children) {
    if (!EMAIL_GLOBAL.has(g.name)) continue;
    switch (g.name) {
      case 'email_notification': e.enabled = yesNo(g); break;
      case 'email_to': e.to.push(address(g)); break;
      case 'email_from': e.from = address(g); break;
      case 'smtp_server': {
        const v = text(g);
        if (!/^[A-Za-z0-9.:[\]-]+$/.test(v)) fail(g, `<smtp_server> must be a host name or address, not "${v}"`);
        e.smtpServer = v.replace(/\.$/, '');
        break;
      }
      case 'email_maxperhour': e.maxPerHour = intOf(g, 1, 9999); break;
      case 'email_reply_to': e.replyTo = address(g); break;
      case 'email_idsname': e.idsname = text(g) || null; break;
    }
  }
}

const EMAIL_RULE_CHILDREN = 'email_to, level, group, event_location, rule_id, format, do_not_delay, do_not_group';

export function parseEmailRule(sec: XmlElement, index: number): EmailRule {
  const r: EmailRule = { index, to: [], level: null, group: null, eventLocation: null, ruleIds: [], format: 'full', doNotDelay: false, doNotGroup: false, file: sec.file, line: sec.line };
  for (const c of sec.children) {
    switch (c.name) {
      case 'email_to': r.to.push(address(c)); break;
      case 'level': r.level = intOf(c, 0, 16); break;
      case 'group': r.group = pattern(c); break;
      case 'event_location': r.eventLocation = pattern(c); break;
      case 'rule_id': r.ruleIds.push(...ruleIds(c)); break;
      case 'format': {
        const v = text(c).toLowerCase();
        // OSSEC also knows `default`: the full mail.
        if (v !== 'full' && v !== 'sms' && v !== 'default') fail(c, `<format> must be full or sms, not "${text(c)}"`);
        r.format = v === 'sms' ? 'sms' : 'full';
        break;
      }
      case 'do_not_delay': r.doNotDelay = true; break;
      case 'do_not_group': r.doNotGroup = true; break;
      default: fail(c, `unknown element <${c.name}> in <email_alerts> (known: ${EMAIL_RULE_CHILDREN})`);
    }
  }
  if (r.to.length === 0) fail(sec, '<email_alerts> needs at least one <email_to>');
  return r;
}

const INTEGRATION_CHILDREN = 'name, hook_url, api_key, level, rule_id, group, event_location, alert_format, max_log, options, timeout, retries';

export function parseIntegration(sec: XmlElement, index: number): Integration {
  let name = '';
  let hookUrl: XmlElement | null = null;
  const i: Omit<Integration, 'name' | 'kind' | 'hookUrl'> = {
    index, apiKey: null, level: null, ruleIds: [], groups: [], eventLocation: null, alertFormat: 'json', blocks: null, file: sec.file, line: sec.line,
  };
  for (const c of sec.children) {
    switch (c.name) {
      case 'name': name = text(c); break;
      case 'hook_url': hookUrl = c; break;
      case 'api_key': i.apiKey = text(c) || null; break;
      case 'level': i.level = intOf(c, 0, 16); break;
      case 'rule_id': i.ruleIds.push(...ruleIds(c)); break;
      case 'group': i.groups.push(...text(c).split(/[,|]/).map((s) => s.trim()).filter(Boolean)); break;
      case 'event_location': i.eventLocation = pattern(c); break;
      case 'alert_format':
        if (text(c).toLowerCase() !== 'json') fail(c, `<alert_format> must be json, not "${text(c)}"`);
        break;
      // Wazuh's other options: accepted, not used.
      case 'max_log': case 'options': case 'timeout': case 'retries': break;
      default: fail(c, `unknown element <${c.name}> in <integration> (known: ${INTEGRATION_CHILDREN})`);
    }
  }
  if (name === '') fail(sec, '<integration> needs a <name> (slack, or custom-… for a JSON webhook)');
  let kind: Integration['kind'];
  if (name === 'slack') kind = 'slack';
  else if (/^custom-[\w.-]+$/.test(name)) kind = 'custom';
  else fail(sec, `<integration> <name>${name}</name> is not supported: slack, or custom-<something> for a JSON webhook (pagerduty, virustotal, shuffle: use custom-… with their webhook)`);
  if (!hookUrl) fail(sec, `<integration> ${name} needs a <hook_url>`);
  let url: URL;
  try {
    url = new URL(text(hookUrl));
  } catch {
    fail(hookUrl, `<hook_url> "${text(hookUrl)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(hookUrl, `<hook_url> "${text(hookUrl)}" must start with http:// or https://`);
  const attr = attrCI(sec, 'notify_blocks');
  const blocks = attr ? blockKinds(attr.value, sec, `<integration notify_blocks="${attr.value}">`) : null;
  return { ...i, name, kind, hookUrl: text(hookUrl), blocks };
}

const SMTP_CHILDREN = 'port, starttls, tls, user, password_file, ca_file, insecure_tls';

function parseSmtp(el: XmlElement, s: SmtpSettings): void {
  for (const c of el.children) {
    switch (c.name) {
      case 'port': s.port = intOf(c, 1, 65535); break;
      case 'starttls': s.starttls = yesNo(c); break;
      case 'tls': s.tls = yesNo(c); break;
      case 'user': s.user = text(c) || null; break;
      case 'password_file': s.passwordFile = text(c) || null; break;
      case 'ca_file': s.caFile = text(c) || null; break;
      case 'insecure_tls': s.insecureTls = yesNo(c); break;
      case 'password': fail(c, '<smtp><password> is not read: put the password in a file named by <password_file> (mode 0600) or in the environment variable PORTCULLIS_SMTP_PASSWORD');
      default: fail(c, `unknown element <${c.name}> in <smtp> (known: ${SMTP_CHILDREN})`);
    }
  }
  if (s.tls && s.starttls === true) fail(el, '<smtp>: <tls>yes</tls> (TLS from the start, port 465) and <starttls>yes</starttls> (upgrade on port 25/587) exclude each other');
  if (s.passwordFile !== null && s.user === null) fail(el, '<smtp><password_file> needs a <user>');
}

/**
 * Reads the notification settings from the config's top-level sections (the children of
 * <ossec_config>). Unknown elements in <global> and <alerts> are other features'; unknown ones in
 * <email_alerts>, <integration> and <smtp> are errors.
 */
export function parseNotifyConfig(sections: readonly XmlElement[]): NotifyConfig {
  const n = defaultNotifyConfig();
  for (const sec of sections) {
    switch (sec.name) {
      case 'global': globalEmail(sec, n.email); break;
      case 'alerts':
        for (const a of sec.children) if (a.name === 'email_alert_level') n.email.alertLevel = intOf(a, 0, 16);
        break;
      case 'email_alerts': n.emailRules.push(parseEmailRule(sec, n.emailRules.length)); break;
      case 'integration': n.integrations.push(parseIntegration(sec, n.integrations.length)); break;
      case 'portcullis':
        for (const c of sec.children) {
          switch (c.name) {
            case 'smtp': parseSmtp(c, n.smtp); break;
            case 'notify_blocks': n.blocks = blockKinds(c.text, c, '<notify_blocks>'); break;
            case 'notify_retry_seconds': n.retryBaseMs = secondsOf(c, 0.01); break;
            case 'notify_retry_max_seconds': n.retryMaxMs = secondsOf(c, 0.01); break;
            case 'notify_max_attempts': n.maxAttempts = intOf(c, 1, 1000); break;
            case 'notify_timeout_seconds': n.timeoutMs = secondsOf(c, 0.1); break;
            case 'email_group_seconds': n.groupWindowMs = secondsOf(c, 0); break;
            case 'email_group_max': n.groupMax = intOf(c, 1, 1000); break;
            default: break;
          }
        }
        break;
      default: break;
    }
  }
  if (n.email.enabled) {
    const where = sections.find((s) => s.name === 'global' && s.children.some((c) => c.name === 'email_notification')) ?? sections[0];
    if (where) {
      if (n.email.smtpServer === null) fail(where, '<email_notification>yes</email_notification> needs <smtp_server> in <global>');
      if (n.email.from === null) fail(where, '<email_notification>yes</email_notification> needs <email_from> in <global>');
      if (n.email.to.length === 0 && n.emailRules.length === 0) fail(where, '<email_notification>yes</email_notification> needs an <email_to> in <global> or an <email_alerts> block');
    }
  }
  return n;
}
