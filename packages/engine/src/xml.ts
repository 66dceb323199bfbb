// A small XML reader with the quirks of OSSEC's own parser (os_xml), which rule, decoder and
// config files are written for: several root elements per file, no entity decoding (`&lt;`
// stays as written), and a backslash before `<` keeps the `<` as text so `\<` reaches the
// regex compiler. Every node carries its line and column so load errors can point at them.
import { RulesetError } from './errors.js';

export interface XmlAttr {
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

export interface XmlElement {
  readonly name: string;
  readonly attrs: ReadonlyMap<string, XmlAttr>;
  readonly children: XmlElement[];
  /** Text content verbatim (children's text excluded). */
  text: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

class Cursor {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly src: string,
    readonly file: string,
  ) {
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  where(pos = this.pos): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - this.lineStarts[lo]! + 1 };
  }

  fail(message: string, pos = this.pos): never {
    const { line, column } = this.where(pos);
    throw new RulesetError('XML_SYNTAX', message, this.file, line, column);
  }
}

// Characters are tested by code (a regex test per character was most of a config's parse, which
// every start runs); beyond ASCII, whitespace is what /\s/ says it is.
const SPACE_RE = /\s/;

function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return SPACE_RE.test(String.fromCharCode(code));
}

/** [A-Za-z0-9_:.-] */
function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 58) || code === 95 || code === 46 || code === 45;
}

function skipSpace(c: Cursor): void {
  const s = c.src;
  let i = c.pos;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  c.pos = i;
}

function readName(c: Cursor): string {
  const start = c.pos;
  const s = c.src;
  let i = start;
  while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
  c.pos = i;
  if (c.pos === start) c.fail(`expected a tag or attribute name, found ${describe(c.src[c.pos])}`);
  return c.src.slice(start, c.pos);
}

function describe(ch: string | undefined): string {
  return ch === undefined ? 'end of file' : JSON.stringify(ch);
}

/** Skips comments, processing instructions and doctype; returns true if it skipped something. */
function skipMarkup(c: Cursor): boolean {
  const s = c.src;
  if (s.startsWith('<!--', c.pos)) {
    const end = s.indexOf('-->', c.pos + 4);
    if (end < 0) c.fail('comment is never closed (missing "-->")');
    c.pos = end + 3;
    return true;
  }
  if (s.startsWith('<?', c.pos)) {
    const end = s.indexOf('?>', c.pos + 2);
    if (end < 0) c.fail('processing instruction is never closed (missing "?>")');
    c.pos = end + 2;
    return true;
  }
  if (s.startsWith('<!DOCTYPE', c.pos) || s.startsWith('<!doctype', c.pos)) {
    const end = s.indexOf('>', c.pos);
    if (end < 0) c.fail('doctype is never closed');
    c.pos = end + 1;
    return true;
  }
  return false;
}

function readElement(c: Cursor, depth: number): XmlElement {
  const start = c.pos;
  const { line, column } = c.where(start);
  c.pos++; // '<'
  const name = readName(c);
  const attrs = new Map<string, XmlAttr>();
  for (;;) {
    skipSpace(c);
    const ch = c.src[c.pos];
    if (ch === '/' && c.src[c.pos + 1] === '>') {
      c.pos += 2;
      return { name, attrs, children: [], text: '', file: c.file, line, column };
    }
    if (ch === '>') {
      c.pos++;
      break;
    }
    if (ch === undefined) c.fail(`tag <${name}> is never closed`, start);
    const attrPos = c.where();
    const attrName = readName(c);
    skipSpace(c);
    if (c.src[c.pos] !== '=') c.fail(`attribute "${attrName}" of <${name}> has no value`);
    c.pos++;
    skipSpace(c);
    const quote = c.src[c.pos];
    if (quote !== '"' && quote !== "'") c.fail(`value of attribute "${attrName}" must be quoted`);
    const end = c.src.indexOf(quote, c.pos + 1);
    if (end < 0) c.fail(`value of attribute "${attrName}" is never closed`);
    if (attrs.has(attrName)) c.fail(`attribute "${attrName}" appears twice in <${name}>`, c.pos);
    attrs.set(attrName, { value: c.src.slice(c.pos + 1, end), line: attrPos.line, column: attrPos.column });
    c.pos = end + 1;
  }
  if (depth > 64) c.fail('elements are nested too deeply', start);
  const children: XmlElement[] = [];
  let text = '';
  for (;;) {
    const lt = findTagStart(c.src, c.pos);
    if (lt < 0) c.fail(`<${name}> is never closed (missing </${name}>)`, start);
    text += unescapeText(c.src.slice(c.pos, lt));
    c.pos = lt;
    if (skipMarkup(c)) continue;
    if (c.src[c.pos + 1] === '/') {
      c.pos += 2;
      const closePos = c.pos;
      const closing = readName(c);
      if (closing !== name) c.fail(`</${closing}> closes <${name}> opened at line ${line}, column ${column}`, closePos - 2);
      skipSpace(c);
      if (c.src[c.pos] !== '>') c.fail(`expected ">" after </${closing}`);
      c.pos++;
      return { name, attrs, children, text, file: c.file, line, column };
    }
    children.push(readElement(c, depth + 1));
  }
}

/** Position of the next `<` that is not escaped with a backslash. */
function findTagStart(s: string, from: number): number {
  let i = s.indexOf('<', from);
  while (i > 0 && s[i - 1] === '\\') i = s.indexOf('<', i + 1);
  return i;
}

// os_xml keeps `\<` as written (the regex layer reads it as a literal `<`); nothing else is decoded.
function unescapeText(s: string): string {
  return s;
}

/** Parses a whole file into its root elements. Throws RulesetError with file, line and column. */
export function parseXml(src: string, file: string): XmlElement[] {
  const c = new Cursor(src, file);
  const roots: XmlElement[] = [];
  for (;;) {
    skipSpace(c);
    if (c.pos >= src.length) return roots;
    if (src[c.pos] !== '<') {
      // os_xml tolerates stray text between root elements; so do we, up to the next tag.
      const lt = findTagStart(src, c.pos);
      if (lt < 0) return roots;
      c.pos = lt;
      continue;
    }
    if (skipMarkup(c)) continue;
    if (src[c.pos + 1] === '/') c.fail('closing tag without an opening tag');
    roots.push(readElement(c, 0));
  }
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.get(name)?.value;
}

/** Attribute lookup ignoring case, as OSSEC compares attribute names case-insensitively. */
export function attrCI(el: XmlElement, name: string): XmlAttr | undefined {
  const direct = el.attrs.get(name);
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of el.attrs) if (k.toLowerCase() === lower) return v;
  return undefined;
}
