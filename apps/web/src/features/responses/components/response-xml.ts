// The form view edits the same XML the XML view shows: the draft is parsed into a DOM, a field
// change rewrites one element, and the text is serialised back (comments and order are kept).

const ROOT = 'portcullis-responses';

export interface CommandForm {
  name: string;
  executable: string;
  expect: string;
  timeout_allowed: boolean;
}

export interface ResponseForm {
  disabled: boolean;
  command: string;
  location: string;
  level: string;
  rules_group: string;
  rules_id: string;
  timeout: string;
  repeated_offenders: string;
}

export function parse(xml: string): Document | null {
  const doc = new DOMParser().parseFromString(`<${ROOT}>${xml}</${ROOT}>`, 'application/xml');
  return doc.querySelector('parsererror') ? null : doc;
}

export function serialize(doc: Document): string {
  const s = new XMLSerializer().serializeToString(doc.documentElement);
  return s.replace(new RegExp(`^<${ROOT}[^>]*>`), '').replace(new RegExp(`</${ROOT}>$`), '');
}

function text(el: Element, tag: string): string {
  return el.getElementsByTagName(tag)[0]?.textContent?.trim() ?? '';
}

export function setField(doc: Document, el: Element, tag: string, value: string): void {
  let child = el.getElementsByTagName(tag)[0];
  if (!value) {
    if (child) {
      const prev = child.previousSibling;
      if (prev?.nodeType === Node.TEXT_NODE && /^\s*$/.test(prev.textContent ?? '')) prev.remove();
      child.remove();
    }
    return;
  }
  if (!child) {
    child = doc.createElement(tag);
    const last = el.lastChild;
    const indent = last?.nodeType === Node.TEXT_NODE ? last : null;
    el.insertBefore(doc.createTextNode('\n    '), indent);
    el.insertBefore(child, indent);
    if (!indent) el.appendChild(doc.createTextNode('\n  '));
  }
  child.textContent = value;
}

export function commands(doc: Document): Element[] {
  return [...doc.documentElement.children].filter((e) => e.tagName === 'command');
}

export function responses(doc: Document): Element[] {
  return [...doc.documentElement.children].filter((e) => e.tagName === 'active-response');
}

export function readCommand(el: Element): CommandForm {
  return { name: text(el, 'name'), executable: text(el, 'executable'), expect: text(el, 'expect'), timeout_allowed: text(el, 'timeout_allowed') === 'yes' };
}

export function readResponse(el: Element): ResponseForm {
  return {
    disabled: text(el, 'disabled') === 'yes',
    command: text(el, 'command'),
    location: text(el, 'location'),
    level: text(el, 'level'),
    rules_group: text(el, 'rules_group'),
    rules_id: text(el, 'rules_id'),
    timeout: text(el, 'timeout'),
    repeated_offenders: text(el, 'repeated_offenders'),
  };
}

export function append(doc: Document, kind: 'command' | 'active-response'): void {
  const el = doc.createElement(kind);
  const fields: Array<[string, string]> = kind === 'command'
    ? [['name', 'new-command'], ['executable', 'firewall-drop'], ['expect', 'srcip'], ['timeout_allowed', 'yes']]
    : [['command', commands(doc)[0] ? readCommand(commands(doc)[0]!).name : 'firewall-drop'], ['location', 'local'], ['level', '10'], ['timeout', '600']];
  for (const [k, v] of fields) {
    el.appendChild(doc.createTextNode('\n    '));
    const c = doc.createElement(k);
    c.textContent = v;
    el.appendChild(c);
  }
  el.appendChild(doc.createTextNode('\n  '));
  doc.documentElement.appendChild(doc.createTextNode('\n\n  '));
  doc.documentElement.appendChild(el);
  doc.documentElement.appendChild(doc.createTextNode('\n'));
}

export function remove(el: Element): void {
  const prev = el.previousSibling;
  if (prev?.nodeType === Node.TEXT_NODE && /^\s*$/.test(prev.textContent ?? '')) prev.remove();
  el.remove();
}
