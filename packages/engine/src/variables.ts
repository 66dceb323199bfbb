// `<var name="X">value</var>` and `$X` substitution in element text (spec §1a). Variables are
// file-scoped; an unknown `$name` is a load error.
import { RulesetError } from './errors.js';
import type { XmlElement } from './xml.js';

const NAME_END = new Set(['$', '.', '|', ',', ' ', '\t', '\n', '\r']);

export function collectVariables(roots: XmlElement[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const el of roots) {
    if (el.name.toLowerCase() !== 'var') continue;
    const name = el.attrs.get('name')?.value;
    if (name === undefined || name === '')
      throw new RulesetError('MISSING_ELEMENT', '<var> needs a name attribute', el.file, el.line, el.column);
    vars.set(name, substitute(el.text, vars, el));
  }
  return vars;
}

/** Replaces `$NAME` in text. `$(...)`, a `$` not followed by a name, and a trailing `$` stay. */
export function substitute(text: string, vars: ReadonlyMap<string, string>, el: XmlElement): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const first = text[i + 1];
    if (first === undefined || !/[A-Za-z_]/.test(first)) {
      out += ch;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && !NAME_END.has(text[j]!) && /[A-Za-z0-9_-]/.test(text[j]!)) j++;
    const name = text.slice(i + 1, j);
    const value = vars.get(name);
    if (value === undefined)
      throw new RulesetError('UNKNOWN_VARIABLE', `unknown variable $${name} in <${el.name}>`, el.file, el.line, el.column);
    out += value;
    i = j;
  }
  return out;
}
