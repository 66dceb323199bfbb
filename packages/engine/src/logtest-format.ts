// The logtest view of a result: the three phases as ossec-logtest / wazuh-logtest print them,
// or one JSON object per line with the keys of the compat oracle.
import type { ProcessResult } from './engine.js';
import type { Dialect } from './regex/pattern.js';

export interface LogtestJson {
  line: number;
  hostname: string | null;
  program_name: string | null;
  decoder: string | null;
  fields: Record<string, string>;
  rule_id: number | null;
  level: number | null;
  alert: boolean;
  groups: string[] | null;
  description?: string | null;
}

export function logtestJson(lineNo: number, r: ProcessResult): LogtestJson {
  const ev = r.event;
  const rule = r.alertRule ?? r.rule;
  return {
    line: lineNo,
    hostname: ev.hostname,
    program_name: ev.programName,
    decoder: ev.decoder?.name ?? null,
    fields: ev.fieldsObject(),
    rule_id: rule?.id ?? null,
    level: rule?.level ?? null,
    alert: r.alert,
    groups: rule ? rule.groupList : null,
    description: r.description,
  };
}

export function formatLogtest(r: ProcessResult, dialect: Dialect): string {
  const ev = r.event;
  const out: string[] = [];
  const ind = dialect === 'wazuh' ? '\t' : '       ';
  out.push('**Phase 1: Completed pre-decoding.');
  out.push(`${ind}full event: '${ev.fullLog}'`);
  if (dialect === 'wazuh') {
    if (ev.timestamp) out.push(`${ind}timestamp: '${ev.timestamp}'`);
    if (ev.hostname) out.push(`${ind}hostname: '${ev.hostname}'`);
    if (ev.programName) out.push(`${ind}program_name: '${ev.programName}'`);
  } else {
    out.push(`${ind}hostname: '${ev.hostname ?? ''}'`);
    out.push(`${ind}program_name: '${ev.programName ?? '(null)'}'`);
    out.push(`${ind}log: '${ev.log}'`);
  }
  out.push('');
  out.push('**Phase 2: Completed decoding.');
  if (ev.decoder === null) {
    out.push(`${ind}No decoder matched.`);
    if (dialect === 'ossec') out.push(`${ind}decoder: '(null)'`);
  } else if (dialect === 'wazuh') {
    out.push(`${ind}name: '${ev.decoder.name}'`);
    if (ev.decoder.parent) out.push(`${ind}parent: '${ev.decoder.parent}'`);
    const fields = ev.fieldsObject();
    for (const k of Object.keys(fields).sort()) out.push(`${ind}${k}: '${fields[k]}'`);
  } else {
    for (const [k, v] of ev.assignments) out.push(`${ind}${k}: '${v}'`);
    out.push(`${ind}decoder: '${ev.decoder.name}'`);
  }
  const rule = r.alertRule ?? r.rule;
  if (rule) {
    out.push('');
    out.push('**Phase 3: Completed filtering (rules).');
    if (dialect === 'wazuh') {
      out.push(`${ind}id: '${rule.id}'`);
      out.push(`${ind}level: '${rule.level}'`);
      out.push(`${ind}description: '${r.description ?? rule.description}'`);
      out.push(`${ind}groups: '[${rule.groupList.map((g) => `'${g}'`).join(', ')}]'`);
      out.push(`${ind}firedtimes: '${rule.firedTimes}'`);
    } else {
      out.push(`${ind}Rule id: '${rule.id}'`);
      out.push(`${ind}Level: '${rule.level}'`);
      out.push(`${ind}Description: '${r.description ?? rule.description}'`);
      for (const info of rule.info) out.push(`${ind}Info - ${infoLabel(info.type)}: '${info.value}'`);
    }
    if (r.alert) out.push('**Alert to be generated.');
  }
  out.push('');
  return out.join('\n');
}

function infoLabel(type: string): string {
  switch (type.toLowerCase()) {
    case 'link':
      return 'Link';
    case 'cve':
      return 'CVE';
    case 'osvdb':
      return 'OSVDB';
    default:
      return 'Text';
  }
}
