// The <command> and <active-response> blocks of a config file as text: where they are, the XML the
// dashboard edits, and the config with them replaced. Everything else in the file (comments, other
// sections, formatting) is left as it was.
import { parseXml, type XmlElement } from '@portcullis/engine';

const KINDS = new Set(['command', 'active-response']);

export interface Block {
  name: string;
  /** Offset of the `<`. */
  start: number;
  /** Offset just past the closing `>`. */
  end: number;
}

export interface ConfigBlocks {
  blocks: Block[];
  /** The XML the dashboard edits. */
  xml: string;
  /** The blocks sit together (only comments and space between them): the span is replaced whole. */
  contiguous: boolean;
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function offsetOf(starts: number[], el: XmlElement): number {
  return starts[el.line - 1]! + el.column - 1;
}

/** Where an element ends: these elements never nest in themselves, so the first closing tag is theirs. */
function endOf(text: string, start: number, name: string): number {
  const open = /^<[\w-]+\s*\/>/.exec(text.slice(start, start + name.length + 10));
  if (open) return start + open[0].length;
  const close = text.indexOf(`</${name}`, start);
  return text.indexOf('>', close) + 1;
}

/** The indentation before `start` when only spaces precede it on its line. */
function indentBefore(text: string, start: number): string {
  const ls = text.lastIndexOf('\n', start - 1) + 1;
  const before = text.slice(ls, start);
  return /^[ \t]*$/.test(before) ? before : '';
}

/** Finds the blocks of a config that parses (callers parse it first); `kinds`: which top-level sections. */
export function findBlocks(text: string, file: string, kinds: ReadonlySet<string> = KINDS): ConfigBlocks {
  const starts = lineStarts(text);
  const blocks: Block[] = [];
  for (const root of parseXml(text, file)) {
    if (root.name !== 'ossec_config') continue;
    for (const el of root.children) {
      if (!kinds.has(el.name)) continue;
      const start = offsetOf(starts, el);
      blocks.push({ name: el.name, start, end: endOf(text, start, el.name) });
    }
  }
  if (blocks.length === 0) return { blocks, xml: '', contiguous: true };
  const first = blocks[0]!;
  const last = blocks[blocks.length - 1]!;
  // Between the blocks: only space and comments?
  let between = '';
  for (let i = 1; i < blocks.length; i++) between += text.slice(blocks[i - 1]!.end, blocks[i]!.start);
  const contiguous = between.replace(/<!--[\s\S]*?-->/g, '').trim() === '';
  const indent = indentBefore(text, first.start);
  const xml = contiguous
    ? `${indent}${text.slice(first.start, last.end)}\n`
    : `${blocks.map((b) => `${indentBefore(text, b.start)}${text.slice(b.start, b.end)}`).join('\n\n')}\n`;
  return { blocks, xml, contiguous };
}

/**
 * The config with its blocks replaced by `xml`, which starts on a line of its own where the first
 * block was (before the closing </ossec_config> when there was none). Also returns the line of the
 * config where `xml` starts, to map errors back to it.
 */
export function replaceBlocks(text: string, found: ConfigBlocks, xml: string): { text: string; firstLine: number } {
  const body = xml.endsWith('\n') ? xml : `${xml}\n`;
  // A block alone on its lines is cut with them; one sharing a line with other text is cut exactly
  // (and the XML then starts on a line of its own).
  const cutStart = (at: number) => {
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    return /^[ \t]*$/.test(text.slice(ls, at)) ? ls : at;
  };
  const cutEnd = (at: number) => {
    const nl = text.indexOf('\n', at);
    const le = nl < 0 ? text.length : nl + 1;
    return /^[ \t]*\r?\n?$/.test(text.slice(at, le)) ? le : at;
  };
  const { blocks } = found;
  let at: number;
  let out: string;
  if (blocks.length === 0) {
    at = cutStart(text.lastIndexOf('</ossec_config>'));
    out = `${text.slice(0, at)}${body}${text.slice(at)}`;
  } else if (found.contiguous) {
    at = cutStart(blocks[0]!.start);
    out = `${text.slice(0, at)}${body}${text.slice(cutEnd(blocks[blocks.length - 1]!.end))}`;
  } else {
    at = cutStart(blocks[0]!.start);
    out = '';
    let pos = 0;
    blocks.forEach((b, i) => {
      out += text.slice(pos, cutStart(b.start));
      if (i === 0) out += body;
      pos = cutEnd(b.end);
    });
    out += text.slice(pos);
  }
  const lead = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
  if (lead) out = `${out.slice(0, at)}${lead}${out.slice(at)}`;
  return { text: out, firstLine: text.slice(0, at).split('\n').length + (lead ? 1 : 0) };
}
