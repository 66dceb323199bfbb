// Reading an ossec.conf-style file: the OSSEC/Wazuh sections Portcullis uses, plus our own
// <portcullis> block. Pure parsing: paths are returned as written; resolution is done by the caller.
import type { XmlElement } from '@portcullis/engine';
import { RulesetError, attrCI, parseXml } from '@portcullis/engine';
import { parseNotifyConfig, type NotifyConfig } from '../modules/notifications/notify-config.js';
import { IpRangeError, canonicalAddress, parseIpRange } from '../sources/sender-filter.js';

export interface LocalFile {
  location: string;
  logFormat: string;
  alias: string | null;
  line: number;
}

export interface CommandConfig {
  name: string;
  executable: string;
  expect: string[];
  timeoutAllowed: boolean;
  extraArgs: string[];
  protocol: 'ossec' | 'json';
  file: string;
  line: number;
}

export interface ActiveResponseConfig {
  command: string;
  location: string;
  agentId: string | null;
  level: number | null;
  rulesGroup: string | null;
  rulesId: number[];
  timeout: number;
  repeatedOffenders: number[];
  disabled: boolean;
  file: string;
  line: number;
}

export type RulesSection =
  | { kind: 'ossec'; includes: string[]; ruleDirs: string[]; decoders: string[]; decoderDirs: string[]; lists: string[] }
  | { kind: 'wazuh'; decoderDirs: string[]; ruleDirs: string[]; ruleIncludes: string[]; decoderIncludes: string[]; ruleExcludes: string[]; decoderExcludes: string[]; lists: string[] };

/** An OSSEC `<remote>` with `<connection>syslog</connection>`: one receiver per protocol. */
export interface RemoteSyslog {
  protocols: Array<'udp' | 'tcp'>;
  port: number;
  /** `<local_ip>`, or null for all interfaces. */
  localIp: string | null;
  ipv6: boolean;
  allowedIps: string[];
  deniedIps: string[];
  file: string;
  line: number;
}

export interface PortcullisSection {
  values: Map<string, string>;
}

export interface OssecConfig {
  file: string;
  whiteList: string[];
  localfiles: LocalFile[];
  rules: RulesSection | null;
  commands: CommandConfig[];
  activeResponses: ActiveResponseConfig[];
  remoteSyslog: RemoteSyslog[];
  logAlertLevel: number;
  memorySize: number | null;
  portcullis: Map<string, string>;
  /** Raw elements of <portcullis> for nested settings. */
  portcullisElements: XmlElement[];
  /** E-mail (<global>, <email_alerts>), <integration> and <portcullis><smtp>: who is told about what. */
  notifications: NotifyConfig;
}

function fail(el: XmlElement, msg: string): never {
  throw new RulesetError('CONFIG', msg, el.file, el.line, el.column);
}

function text(el: XmlElement): string {
  return el.text.trim();
}

function yesNo(el: XmlElement): boolean {
  const v = text(el).toLowerCase();
  if (v === 'yes' || v === 'true' || v === '1') return true;
  if (v === 'no' || v === 'false' || v === '0') return false;
  fail(el, `<${el.name}> must be yes or no, not "${text(el)}"`);
}

function intOf(el: XmlElement, min: number, max: number): number {
  const v = text(el);
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) fail(el, `<${el.name}> must be a number from ${min} to ${max}, not "${v}"`);
  return Number(v);
}

export function parseOssecConfig(src: string, file: string): OssecConfig {
  const roots = parseXml(src, file);
  const cfg: OssecConfig = {
    file,
    whiteList: [],
    localfiles: [],
    rules: null,
    commands: [],
    activeResponses: [],
    remoteSyslog: [],
    logAlertLevel: 1,
    memorySize: null,
    portcullis: new Map(),
    portcullisElements: [],
    notifications: parseNotifyConfig(roots.filter((r) => r.name === 'ossec_config').flatMap((r) => r.children)),
  };
  for (const root of roots) {
    if (root.name !== 'ossec_config') fail(root, `unexpected <${root.name}> at the top of the config (expected <ossec_config>)`);
    for (const sec of root.children) {
      switch (sec.name) {
        case 'global':
          for (const g of sec.children) {
            if (g.name === 'white_list' || g.name === 'allow_list') cfg.whiteList.push(text(g));
            else if (g.name === 'memory_size') cfg.memorySize = intOf(g, 2048, 10_000_000);
          }
          break;
        case 'alerts':
          for (const a of sec.children) if (a.name === 'log_alert_level') cfg.logAlertLevel = intOf(a, 0, 16);
          break;
        case 'localfile': {
          const lf: LocalFile = { location: '', logFormat: 'syslog', alias: null, line: sec.line };
          for (const c of sec.children) {
            if (c.name === 'location') lf.location = text(c);
            else if (c.name === 'log_format') lf.logFormat = text(c);
            else if (c.name === 'alias') lf.alias = text(c);
          }
          if (lf.location === '' && lf.logFormat !== 'journald') fail(sec, '<localfile> needs a <location>');
          cfg.localfiles.push(lf);
          break;
        }
        case 'rules': {
          const r = cfg.rules?.kind === 'ossec' ? cfg.rules : { kind: 'ossec' as const, includes: [], ruleDirs: [], decoders: [], decoderDirs: [], lists: [] };
          if (cfg.rules?.kind === 'wazuh') fail(sec, 'a config cannot have both <rules> and <ruleset>');
          for (const c of sec.children) {
            if (c.name === 'include' || c.name === 'rule') r.includes.push(text(c));
            else if (c.name === 'rule_dir') r.ruleDirs.push(text(c));
            else if (c.name === 'decoder') r.decoders.push(text(c));
            else if (c.name === 'decoder_dir') r.decoderDirs.push(text(c));
            else if (c.name === 'list') r.lists.push(text(c));
            else fail(c, `unknown element <${c.name}> in <rules>`);
          }
          cfg.rules = r;
          break;
        }
        case 'ruleset': {
          if (cfg.rules?.kind === 'ossec') fail(sec, 'a config cannot have both <rules> and <ruleset>');
          const r = cfg.rules?.kind === 'wazuh' ? cfg.rules : { kind: 'wazuh' as const, decoderDirs: [], ruleDirs: [], ruleIncludes: [], decoderIncludes: [], ruleExcludes: [], decoderExcludes: [], lists: [] };
          for (const c of sec.children) {
            if (c.name === 'decoder_dir') r.decoderDirs.push(text(c));
            else if (c.name === 'rule_dir') r.ruleDirs.push(text(c));
            else if (c.name === 'rule_include') r.ruleIncludes.push(text(c));
            else if (c.name === 'decoder_include') r.decoderIncludes.push(text(c));
            else if (c.name === 'rule_exclude') r.ruleExcludes.push(text(c));
            else if (c.name === 'decoder_exclude') r.decoderExcludes.push(text(c));
            else if (c.name === 'list') r.lists.push(text(c));
            else fail(c, `unknown element <${c.name}> in <ruleset>`);
          }
          cfg.rules = r;
          break;
        }
        case 'command':
          cfg.commands.push(parseCommand(sec));
          break;
        case 'active-response':
          if (sec.children.length === 0) break;
          cfg.activeResponses.push(parseActiveResponse(sec));
          break;
        case 'remote': {
          const remote = parseRemote(sec);
          if (remote) cfg.remoteSyslog.push(remote);
          break;
        }
        case 'portcullis':
          cfg.portcullisElements.push(sec);
          for (const c of sec.children) cfg.portcullis.set(c.name, text(c));
          // Checked here too, so check-config reports a bad address (server-config.ts reads the rest).
          for (const c of sec.children) if (c.name === 'syslog') for (const e of c.children) if (e.name === 'allowed-ips' || e.name === 'denied-ips') ipEntry(e);
          break;
        default:
          break; // other OSSEC sections (syscheck, rootcheck, …) are not ours to read
      }
    }
  }
  validateActiveResponses(cfg);
  return cfg;
}

/** The text of an <allowed-ips>/<denied-ips> element, checked: an address, a network or `any`. */
export function ipEntry(el: XmlElement): string {
  try {
    parseIpRange(text(el));
  } catch (err) {
    if (err instanceof IpRangeError) fail(el, `<${el.name}>: ${err.message}`);
    throw err;
  }
  return text(el);
}

/**
 * OSSEC's `<remote>`: only `<connection>syslog</connection>` is ours (secure agent connections are
 * not supported and are skipped). Port 514 and UDP by default, as in OSSEC; Wazuh's `tcp,udp`
 * gives one receiver each. Options for agent connections (queue_size, …) are ignored.
 */
export function parseRemote(sec: XmlElement): RemoteSyslog | null {
  const connection = sec.children.find((c) => c.name === 'connection');
  if (!connection || text(connection).toLowerCase() !== 'syslog') return null;
  const r: RemoteSyslog = { protocols: ['udp'], port: 514, localIp: null, ipv6: false, allowedIps: [], deniedIps: [], file: sec.file, line: sec.line };
  for (const c of sec.children) {
    switch (c.name) {
      case 'port': r.port = intOf(c, 1, 65535); break;
      case 'protocol': {
        const list = text(c).toLowerCase().split(',').map((p) => p.trim()).filter(Boolean);
        const bad = list.find((p) => p !== 'udp' && p !== 'tcp');
        if (bad !== undefined || list.length === 0) fail(c, `<protocol> must be udp, tcp or tcp,udp, not "${text(c)}"`);
        r.protocols = [...new Set(list as Array<'udp' | 'tcp'>)];
        break;
      }
      case 'local_ip':
        if (canonicalAddress(text(c)) === null) fail(c, `<local_ip> must be an IP address, not "${text(c)}"`);
        r.localIp = text(c);
        break;
      case 'ipv6': r.ipv6 = yesNo(c); break;
      case 'allowed-ips': r.allowedIps.push(ipEntry(c)); break;
      case 'denied-ips': r.deniedIps.push(ipEntry(c)); break;
      default: break;
    }
  }
  return r;
}

export function parseCommand(sec: XmlElement): CommandConfig {
  const c: CommandConfig = { name: '', executable: '', expect: [], timeoutAllowed: false, extraArgs: [], protocol: 'ossec', file: sec.file, line: sec.line };
  for (const e of sec.children) {
    switch (e.name) {
      case 'name': c.name = text(e); break;
      case 'executable': c.executable = text(e); break;
      case 'expect': c.expect = text(e).split(',').map((s) => s.trim()).filter(Boolean); break;
      case 'timeout_allowed': c.timeoutAllowed = yesNo(e); break;
      case 'extra_args': c.extraArgs = text(e).split(/\s+/).filter(Boolean); break;
      case 'protocol': {
        const p = text(e).toLowerCase();
        if (p !== 'ossec' && p !== 'json') fail(e, `<protocol> must be ossec or json, not "${text(e)}"`);
        c.protocol = p;
        break;
      }
      default: fail(e, `unknown element <${e.name}> in <command>`);
    }
  }
  if (!c.name) fail(sec, '<command> needs a <name>');
  if (!c.executable) fail(sec, `<command> "${c.name}" needs an <executable>`);
  if (c.executable.includes('/') || c.executable.includes('\\') || c.executable.startsWith('.'))
    fail(sec, `<command> "${c.name}": <executable> must be a file name in the active-response directory, not a path ("${c.executable}")`);
  return c;
}

export function parseActiveResponse(sec: XmlElement): ActiveResponseConfig {
  const a: ActiveResponseConfig = { command: '', location: '', agentId: null, level: null, rulesGroup: null, rulesId: [], timeout: 0, repeatedOffenders: [], disabled: false, file: sec.file, line: sec.line };
  for (const e of sec.children) {
    switch (e.name) {
      case 'disabled': a.disabled = yesNo(e); break;
      case 'command': a.command = text(e); break;
      case 'location': a.location = text(e); break;
      case 'agent_id': a.agentId = text(e); break;
      case 'level': a.level = intOf(e, 0, 20); break;
      case 'rules_group': a.rulesGroup = text(e); break;
      case 'rules_id':
        for (const part of text(e).split(',').map((s) => s.trim()).filter(Boolean)) {
          if (!/^\d+$/.test(part)) fail(e, `<rules_id> item "${part}" is not a rule id`);
          a.rulesId.push(Number(part));
        }
        break;
      case 'timeout': a.timeout = intOf(e, 0, 100_000_000); break;
      case 'repeated_offenders':
        a.repeatedOffenders = text(e).split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
          if (!/^\d+$/.test(s)) fail(e, `<repeated_offenders> item "${s}" is not a number of minutes`);
          return Number(s);
        });
        if (a.repeatedOffenders.length > 5) fail(e, '<repeated_offenders> takes at most 5 values');
        break;
      default: fail(e, `unknown element <${e.name}> in <active-response>`);
    }
  }
  if (!a.disabled) {
    if (!a.command) fail(sec, '<active-response> needs a <command>');
    if (!a.location) fail(sec, '<active-response> needs a <location>');
  }
  return a;
}

function validateActiveResponses(cfg: OssecConfig): void {
  for (const ar of cfg.activeResponses) {
    if (ar.disabled) continue;
    const cmd = cfg.commands.find((c) => c.name === ar.command);
    const where = { file: ar.file, line: ar.line, column: 1 };
    if (!cmd) throw new RulesetError('CONFIG', `<active-response> names command "${ar.command}", which no <command> defines`, where.file, where.line, where.column);
    if (ar.timeout > 0 && !cmd.timeoutAllowed)
      throw new RulesetError('CONFIG', `<active-response> for "${ar.command}" sets a <timeout>, but the command does not have <timeout_allowed>yes</timeout_allowed>`, where.file, where.line, where.column);
    if (/defined-agent/i.test(ar.location) && !ar.agentId)
      throw new RulesetError('CONFIG', '<active-response> with location defined-agent needs an <agent_id>', where.file, where.line, where.column);
  }
}

export { attrCI };
