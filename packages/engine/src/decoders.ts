// Decoders: parsing `<decoder>` XML into a two-list tree, and decoding an event with it
// (spec §3, §11.1). Stage input: a predecoded Event; output: the same Event with decoder and fields.
import type { ErrorSink } from './errors.js';
import { RulesetError } from './errors.js';
import type { DecoderRef } from './event.js';
import { STATIC_FIELDS } from './event.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { PatternError } from './regex/pattern.js';
import { makePattern } from './rule-recipes.js';
import { collectVariables, substitute } from './variables.js';
import type { XmlElement } from './xml.js';
import { attrCI, parseXml } from './xml.js';
import type { SourceFile } from './types.js';

type Offset = 'none' | 'after_parent' | 'after_prematch' | 'after_regex';

/** A capture's destination: a static field (by label) or a dynamic one. */
interface OrderSlot {
  readonly label: string;
  readonly isStatic: boolean;
}

export interface Decoder {
  readonly name: string;
  /** The name shown for events it decodes: the parent's unless use_own_name. */
  reportName: string;
  readonly parentName: string | null;
  readonly file: string;
  readonly line: number;
  programName: Pattern | null;
  hasProgramName: boolean;
  prematch: Pattern | null;
  prematchAfterParent: boolean;
  regex: Pattern | null;
  regexOffset: Offset;
  order: OrderSlot[];
  category: string;
  /** True when <type> was written (a child's type overrides its parent's). */
  categoryExplicit: boolean;
  fts: string[] | null;
  plugin: string | null;
  pluginAfterParent: boolean;
  useOwnName: boolean;
  accumulate: boolean;
  /** Children of a top-level decoder, in load order; only the first of each same-name chain is scanned. */
  children: Decoder[];
  /** Next sibling with the same name and parent (sibling chain). */
  next: Decoder | null;
  /** True for a chain member that is reached through `next` only. */
  chained: boolean;
  /** What events decoded by this decoder (under a given top-level parent) report; built lazily. */
  refs: Map<Decoder | null, DecoderRef> | null;
}

export interface DecoderSet {
  /** Top-level decoders with a program_name, load order. */
  readonly withProgram: Decoder[];
  /** Top-level decoders without one. */
  readonly withoutProgram: Decoder[];
  readonly names: Set<string>;
  readonly all: Decoder[];
}

export const STATIC_ORDER: Record<string, string> = {
  srcip: 'srcip',
  dstip: 'dstip',
  srcport: 'srcport',
  dstport: 'dstport',
  protocol: 'proto',
  action: 'action',
  id: 'id',
  url: 'url',
  data: 'extra_data',
  extra_data: 'extra_data',
  status: 'status',
  srcuser: 'srcuser',
  dstuser: 'dstuser',
  user: 'dstuser',
  system_name: 'system_name',
};

const CATEGORIES = new Set(['syslog', 'firewall', 'ids', 'web-log', 'squid', 'windows', 'host-information', 'ossec']);
const PLUGINS = new Set(['JSON_Decoder', 'PF_Decoder', 'SymantecWS_Decoder', 'SonicWall_Decoder', 'OSSECAlert_Decoder']);

function parseOrder(text: string, dialect: Dialect): OrderSlot[] {
  return text.split(',').map((raw) => {
    const token = raw.replace(/^\s+/, '').split(' ')[0]!.trim();
    const mapped = STATIC_ORDER[token];
    if (mapped) return { label: mapped, isStatic: true };
    if (dialect === 'ossec' && token.includes('filename')) return { label: 'filename', isStatic: true };
    if (token === 'filename') return { label: 'filename', isStatic: true };
    return { label: token, isStatic: false };
  });
}

function err(el: XmlElement, code: RulesetError['code'], msg: string): RulesetError {
  return new RulesetError(code, msg, el.file, el.line, el.column);
}

/** Compiles a pattern element, turning a PatternError into a located RulesetError. */
export function compileElementPattern(el: XmlElement, text: string, compile: () => Pattern): Pattern {
  try {
    return compile();
  } catch (e) {
    if (e instanceof PatternError) {
      // Point at the pattern text: the element's text starts after `<name ...>`; approximate with the tag.
      throw err(el, e.unsupported ? 'UNSUPPORTED_REGEX' : 'BAD_REGEX', `<${el.name}> "${truncate(text)}": ${e.message} (at offset ${e.offset})`);
    }
    throw e;
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

interface RawParts {
  text: string;
  first: XmlElement;
  attrs: XmlElement[];
}

function concat(parts: Map<string, RawParts>, key: string, el: XmlElement, text: string): void {
  const cur = parts.get(key);
  if (cur) {
    cur.text += text;
    cur.attrs.push(el);
  } else parts.set(key, { text, first: el, attrs: [el] });
}

function typeAttr(el: XmlElement, allowed: string[], dflt: string): string {
  const t = attrCI(el, 'type')?.value.toLowerCase();
  if (t === undefined) return dflt;
  if (!allowed.includes(t)) throw err(el, 'BAD_VALUE', `type="${t}" is not valid on <${el.name}> (expected ${allowed.join(', ')})`);
  return t;
}

function compileTyped(el: XmlElement, text: string, type: string, dialect: Dialect): Pattern {
  return compileElementPattern(el, text, () => {
    if (type === 'pcre2') return makePattern({ f: 'pcre2', p: text, d: dialect, c: false, n: false });
    if (type === 'osmatch') return makePattern({ f: 'osmatch', p: text, d: dialect, n: false });
    return makePattern({ f: 'osregex', p: text, d: dialect, n: false });
  });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A decoder with every field at its default, in the one property order every Decoder has (a
 * compile and a restored snapshot give the decoder walk objects of the same shape).
 */
export function blankDecoder(): Mutable<Decoder> {
  return {
    name: '',
    reportName: '',
    parentName: null,
    file: '',
    line: 0,
    programName: null,
    hasProgramName: false,
    prematch: null,
    prematchAfterParent: false,
    regex: null,
    regexOffset: 'none',
    order: [],
    category: 'syslog',
    categoryExplicit: false,
    fts: null,
    plugin: null,
    pluginAfterParent: false,
    useOwnName: false,
    accumulate: false,
    children: [],
    next: null,
    chained: false,
    refs: null,
  };
}

function parseDecoder(el: XmlElement, vars: Map<string, string>, dialect: Dialect): Decoder {
  const name = attrCI(el, 'name')?.value;
  if (!name) throw err(el, 'MISSING_ELEMENT', '<decoder> needs a name attribute');
  const parts = new Map<string, RawParts>();
  let parent: string | null = null;
  let orderText: string | null = null;
  let category = 'syslog';
  let categoryExplicit = false;
  let fts: string[] | null = null;
  let plugin: string | null = null;
  let pluginAfterParent = false;
  let useOwnName = false;
  let accumulate = false;
  for (const child of el.children) {
    const tag = child.name.toLowerCase();
    const text = substitute(child.text, vars, child);
    switch (tag) {
      case 'parent':
        parent = text.trim();
        break;
      case 'program_name':
      case 'prematch':
      case 'regex':
      case 'program_name_pcre2':
      case 'prematch_pcre2':
      case 'pcre2':
        concat(parts, tag, child, text);
        break;
      case 'order':
        orderText = (orderText === null ? '' : `${orderText},`) + text;
        break;
      case 'type': {
        const t = text.trim().toLowerCase();
        if (!CATEGORIES.has(t)) throw err(child, 'BAD_VALUE', `unknown decoder type "${text.trim()}" (expected ${[...CATEGORIES].join(', ')})`);
        category = t;
        categoryExplicit = true;
        break;
      }
      case 'fts':
        fts = text.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case 'ftscomment':
        break;
      case 'plugin_decoder': {
        const p = text.trim();
        if (!PLUGINS.has(p)) throw err(child, 'BAD_VALUE', `unknown plugin_decoder "${p}"`);
        plugin = p;
        pluginAfterParent = attrCI(child, 'offset')?.value === 'after_parent';
        break;
      }
      case 'use_own_name':
        useOwnName = text.trim().toLowerCase() !== 'false';
        break;
      case 'accumulate':
        accumulate = true;
        break;
      case 'json_null_field':
      case 'json_array_structure':
      case 'var':
        break;
      default:
        throw err(child, 'UNKNOWN_ELEMENT', `unknown element <${child.name}> in decoder "${name}"`);
    }
  }

  const dec = blankDecoder();
  dec.name = name;
  dec.reportName = name;
  dec.parentName = parent;
  dec.file = el.file;
  dec.line = el.line;
  dec.category = category;
  dec.categoryExplicit = categoryExplicit;
  dec.fts = fts;
  dec.plugin = plugin;
  dec.pluginAfterParent = pluginAfterParent;
  dec.useOwnName = useOwnName;
  dec.accumulate = accumulate;

  // program_name: the classic element wins over the _pcre2 one (OSSEC 4.x `else if`).
  const pn = parts.get('program_name');
  const pnPcre = parts.get('program_name_pcre2');
  if (pn) {
    dec.hasProgramName = true;
    const type = dialect === 'wazuh' ? typeAttr(pn.attrs[pn.attrs.length - 1]!, ['osmatch', 'osregex', 'pcre2'], 'osmatch') : 'osmatch';
    dec.programName = pn.text === '' ? null : compileTyped(pn.first, pn.text, type, dialect);
  } else if (pnPcre) {
    dec.hasProgramName = true;
    if (pnPcre.text === '') throw err(pnPcre.first, 'BAD_REGEX', 'empty <program_name_pcre2> pattern');
    dec.programName = compileElementPattern(pnPcre.first, pnPcre.text, () => makePattern({ f: 'pcre2', p: pnPcre.text, d: dialect, c: true, n: false }));
  }

  const pm = parts.get('prematch') ?? parts.get('prematch_pcre2');
  if (pm) {
    const isPcre = !parts.has('prematch');
    const off = attrCI(pm.first, 'offset')?.value;
    if (off !== undefined) {
      if (off !== 'after_parent') throw err(pm.first, 'BAD_VALUE', `offset="${off}" is not valid on <${pm.first.name}> (only after_parent)`);
      if (parent === null) throw err(pm.first, 'BAD_VALUE', `offset="after_parent" on decoder "${name}", which has no parent`);
      dec.prematchAfterParent = true;
    }
    if (isPcre) {
      if (pm.text === '') throw err(pm.first, 'BAD_REGEX', 'empty <prematch_pcre2> pattern');
      dec.prematch = compileElementPattern(pm.first, pm.text, () => makePattern({ f: 'pcre2', p: pm.text, d: dialect, c: true, n: false }));
    } else {
      const type = dialect === 'wazuh' ? typeAttr(pm.attrs[pm.attrs.length - 1]!, ['osregex', 'pcre2'], 'osregex') : 'osregex';
      dec.prematch = compileTyped(pm.first, pm.text, type, dialect);
    }
  }

  const rx = parts.get('regex') ?? parts.get('pcre2');
  if (rx) {
    const isPcre = !parts.has('regex');
    const off = attrCI(rx.first, 'offset')?.value;
    if (off !== undefined) {
      if (off !== 'after_parent' && off !== 'after_prematch' && off !== 'after_regex')
        throw err(rx.first, 'BAD_VALUE', `offset="${off}" is not valid (expected after_parent, after_prematch or after_regex)`);
      dec.regexOffset = off;
      if (off === 'after_prematch' && parent === null) dec.regexOffset = 'after_parent';
      if (off === 'after_regex' && parent === null) throw err(rx.first, 'BAD_VALUE', `offset="after_regex" on decoder "${name}", which has no parent`);
    }
    if (isPcre) {
      if (rx.text === '') throw err(rx.first, 'BAD_REGEX', 'empty <pcre2> pattern');
      dec.regex = compileElementPattern(rx.first, rx.text, () => makePattern({ f: 'pcre2', p: rx.text, d: dialect, c: true, n: false }));
    } else {
      const type = dialect === 'wazuh' ? typeAttr(rx.attrs[rx.attrs.length - 1]!, ['osregex', 'pcre2'], 'osregex') : 'osregex';
      dec.regex = compileTyped(rx.first, rx.text, type, dialect);
    }
    if (orderText === null) throw err(el, 'MISSING_ELEMENT', `decoder "${name}" has a regex but no <order>`);
  }
  if (orderText !== null) {
    if (!rx && !plugin) throw err(el, 'MISSING_ELEMENT', `decoder "${name}" has an <order> but no regex`);
    dec.order = parseOrder(orderText, dialect);
  }
  if (parent === null && !dec.hasProgramName && !dec.prematch && !plugin)
    throw err(el, 'MISSING_ELEMENT', `top-level decoder "${name}" needs a <prematch> or a <program_name>`);
  return dec;
}

/** Parses decoder files (in load order) into the two top-level lists with their children. */
export function loadDecoders(files: SourceFile[], dialect: Dialect, sink: ErrorSink): DecoderSet {
  const withProgram: Decoder[] = [];
  const withoutProgram: Decoder[] = [];
  const topByName = new Map<string, Decoder[]>();
  const all: Decoder[] = [];
  for (const file of files) {
    const roots = sink.guard(() => parseXml(file.text, file.path));
    if (!roots) continue;
    const vars = sink.guard(() => collectVariables(roots)) ?? new Map<string, string>();
    for (const el of roots) {
      const tag = el.name.toLowerCase();
      if (tag === 'var') continue;
      if (tag !== 'decoder') {
        sink.add(err(el, 'UNKNOWN_ELEMENT', `unexpected <${el.name}> at the top of a decoder file (expected <decoder>)`));
        continue;
      }
      const dec = sink.guard(() => parseDecoder(el, vars, dialect));
      if (!dec) continue;
      all.push(dec);
      if (dec.parentName === null) {
        (dec.hasProgramName ? withProgram : withoutProgram).push(dec);
        const list = topByName.get(dec.name) ?? [];
        list.push(dec);
        topByName.set(dec.name, list);
        continue;
      }
      const parents = topByName.get(dec.parentName);
      if (!parents) {
        sink.add(err(el, 'UNKNOWN_PARENT', `decoder "${dec.name}" names parent "${dec.parentName}", which is not a top-level decoder loaded before it`));
        continue;
      }
      if (!dec.useOwnName) dec.reportName = dec.parentName;
      // A child belongs to every top-level decoder of that name; chains are linked once.
      attachChild(parents[0]!, dec, el, sink);
      if (!dec.chained) for (const p of parents.slice(1)) p.children.push(dec);
    }
  }
  return { withProgram, withoutProgram, names: new Set(all.map((d) => d.reportName).concat(all.map((d) => d.name))), all };
}

function attachChild(parent: Decoder, dec: Decoder, el: XmlElement, sink: ErrorSink): void {
  // Sibling chain: the latest earlier child with the same name gets `next`.
  let prev: Decoder | null = null;
  for (const c of parent.children) {
    let tail: Decoder = c;
    if (c.name !== dec.name) continue;
    while (tail.next) tail = tail.next;
    prev = tail;
  }
  if (prev) {
    prev.next = dec;
    dec.chained = true;
    if (dec.regex && prev.regex && dec.regex.kind !== prev.regex.kind && (dec.regex.kind === 'pcre2' || prev.regex.kind === 'pcre2'))
      sink.add(err(el, 'BAD_VALUE', `decoder "${dec.name}" mixes <regex> and <pcre2> in one sibling chain`));
    return;
  }
  if (dec.regexOffset === 'after_regex')
    sink.add(err(el, 'BAD_VALUE', `offset="after_regex" on decoder "${dec.name}" needs an earlier sibling with the same name`));
  parent.children.push(dec);
}

export { STATIC_FIELDS };
