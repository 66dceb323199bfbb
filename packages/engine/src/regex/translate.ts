// Translation of OSSEC's three pattern dialects into JavaScript RegExp source.
//   OS_Regex  (<regex>, <prematch>, rule <regex>, <field>):  classes \w \d \s \p \. , lazy `+`/`*`
//   OS_Match  (<match>, <program_name>, <user>, ...):         literal text, `|`, `^`/`$` edges
//   PCRE2     (*_pcre2 elements, Wazuh type="pcre2"):        PCRE2 syntax, minus what JS lacks
// The semantics follow spec/ossec-compat.md §4 and §11; the mapping tables are written from
// those facts, not from OSSEC's code.

export class PatternError extends Error {
  constructor(
    message: string,
    /** 0-based offset inside the pattern where the problem is. */
    readonly offset: number,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

// OS_Regex classes. `\w` includes `-` and `@`; `\s` is only the space; `\.` is any character.
const OS_CLASSES: Record<string, string> = {
  w: '[A-Za-z0-9@_-]',
  W: '[^A-Za-z0-9@_-]',
  d: '[0-9]',
  D: '[^0-9]',
  s: '[ ]',
  S: '[^ ]',
  p: '[()*+,.:;<=>?\\[\\]!"\'#%&$|{}-]',
  t: '\\t',
  '.': '[\\s\\S]',
};
const OS_LITERAL_ESCAPES = new Set(['\\', '(', ')', '$', '<', '|', '{', '}', '[', ']']);
/** Escapes OSSEC 4.x's PCRE2 translation accepts but Wazuh's hand-written OS_Regex rejects. */
const OSSEC4_ONLY_ESCAPES = new Set(['{', '}', '[', ']']);
const JS_SPECIAL = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}', '/']);

function escapeJs(ch: string): string {
  return JS_SPECIAL.has(ch) ? `\\${ch}` : ch;
}

/** Splits on `|` that is not escaped with a backslash (OS_Regex alternation). */
export function splitOsRegexAlternatives(pattern: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] === '|') {
      out.push({ text: pattern.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  out.push({ text: pattern.slice(start), offset: start });
  return out;
}

/**
 * Translates one OS_Regex pattern (or, for the Wazuh dialect, one alternative of it) to JS.
 * `wholePattern` = true for OSSEC 4.x, where the translation keeps `|` and anchors anywhere.
 */
export function translateOsRegex(pattern: string, wholePattern: boolean, baseOffset = 0): string {
  const parts: string[] = [];
  // indexes in `parts` of lazy quantifiers, to make the trailing one greedy afterwards
  const lazyAt: number[] = [];
  let depth = 0;
  let lastWasClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new PatternError('pattern ends with a lone backslash', baseOffset + i);
      i++;
      if (next in OS_CLASSES) {
        parts.push(OS_CLASSES[next]!);
        lastWasClass = true;
        continue;
      }
      if (OS_LITERAL_ESCAPES.has(next) && (wholePattern || !OSSEC4_ONLY_ESCAPES.has(next))) {
        parts.push(escapeJs(next));
        lastWasClass = false;
        continue;
      }
      throw new PatternError(`"\\${next}" is not an OS_Regex escape (valid: \\w \\W \\d \\D \\s \\S \\p \\t \\. \\\\ \\( \\) \\$ \\< \\|)`, baseOffset + i - 1);
    }
    if ((ch === '+' || ch === '*') && lastWasClass) {
      parts.push(`${ch}?`);
      lazyAt.push(parts.length - 1);
      lastWasClass = false;
      continue;
    }
    lastWasClass = false;
    switch (ch) {
      case '(':
        depth++;
        if (!wholePattern && depth > 1) throw new PatternError('OS_Regex allows one level of groups only', baseOffset + i);
        parts.push('(');
        break;
      case ')':
        depth--;
        if (depth < 0) throw new PatternError('")" without "("', baseOffset + i);
        parts.push(')');
        break;
      case '|':
        if (!wholePattern) throw new PatternError('"|" inside an alternative', baseOffset + i);
        parts.push('|');
        break;
      case '^':
        if (wholePattern || i === 0) parts.push('^');
        else parts.push('\\^');
        break;
      case '$':
        if (wholePattern || i === pattern.length - 1) parts.push('$');
        else parts.push('\\$');
        break;
      default:
        parts.push(escapeJs(ch));
    }
  }
  if (depth !== 0) throw new PatternError('unbalanced "(" in pattern', baseOffset + pattern.length);
  // A lazy quantifier followed only by `)`s and then `|` or the end stays greedy.
  for (const idx of lazyAt) {
    let j = idx + 1;
    while (j < parts.length && parts[j] === ')') j++;
    if (j === parts.length || (wholePattern && parts[j] === '|')) parts[idx] = parts[idx]!.slice(0, 1);
  }
  return parts.join('');
}

/** Escapes text to be matched literally. */
export function escapeLiteral(s: string): string {
  let out = '';
  for (const ch of s) out += escapeJs(ch);
  return out;
}

/**
 * OS_Match → JS. Wazuh (and OSSEC 3.2) semantics: split on every `|`; `^` only at the start and
 * `$` only at the end of an alternative are anchors; an empty alternative is always true.
 * Returns null when the pattern is always true.
 */
export function translateOsMatchClassic(pattern: string): string | null {
  const alts: string[] = [];
  for (const alt of pattern.split('|')) {
    if (alt === '') return null;
    let a = alt;
    let pre = '';
    let post = '';
    if (a.startsWith('^')) {
      pre = '^';
      a = a.slice(1);
    }
    if (a.endsWith('$') && a.length > 0) {
      post = '$';
      a = a.slice(0, -1);
    }
    if (a === '' && pre === '' && post === '') return null;
    alts.push(pre + escapeLiteral(a) + post);
  }
  return alts.length === 1 ? alts[0]! : alts.map((a) => `(?:${a})`).join('|');
}

/** OS_Match as OSSEC 4.x translates it: `|`, `^`, `$` keep their regex meaning anywhere. */
export function translateOsMatch4(pattern: string): string | null {
  if (pattern === '') return null;
  let out = '';
  for (const ch of pattern) {
    if (ch === '|' || ch === '^' || ch === '$') out += ch;
    else out += escapeJs(ch);
  }
  return out;
}

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: 'A-Za-z0-9_',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

const PCRE_SPACE = '\\t\\n\\v\\f\\r ';

/**
 * PCRE2 → JS. Translates what JavaScript lacks (`\A`, `\z`, `\Z`, `\h`, `\Q…\E`, POSIX classes,
 * `(?P<n>…)`, a leading `(?i)`), maps `\s`/`\S` to PCRE2's ASCII set, and rejects what cannot be
 * expressed (possessive quantifiers, atomic groups, recursion, conditionals, `\K`, verbs).
 */
export function translatePcre2(pattern: string, caseless = true): { source: string; flags: string } {
  let out = '';
  let i = 0;
  let flags = '';
  let ungreedy = false;
  // Flags set at the very start apply to the whole pattern: those JavaScript has become its flags.
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += flags.includes(f) ? '' : f;
      else if (f === 'U') ungreedy = true;
      else throw new PatternError(`PCRE2 construct inline flag (?${f}) is not supported (JavaScript has no equivalent)`, 0, true);
    }
    i = lead[0].length;
  }
  const n = pattern.length;
  const unsupported = (what: string, at: number): never => {
    throw new PatternError(`PCRE2 construct ${what} is not supported (JavaScript has no equivalent)`, at, true);
  };
  let inClass = false;
  let classStart = -1;
  while (i < n) {
    const ch = pattern[i]!;
    if (inClass) {
      if (ch === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const name = end > 0 ? pattern.slice(i + 2, end) : '';
        const negated = name.startsWith('^');
        const cls = POSIX[negated ? name.slice(1) : name];
        if (cls === undefined) throw new PatternError(`unknown POSIX class [:${name}:]`, i);
        if (negated) unsupported(`[:^${name.slice(1)}:]`, i);
        out += cls;
        i = end + 2;
        continue;
      }
      if (ch === '\\') {
        const e = pattern[i + 1];
        if (e === undefined) throw new PatternError('pattern ends with a lone backslash', i);
        if (e === 's') out += PCRE_SPACE;
        else if (e === 'h') out += ' \\t';
        else if (e === '<' || e === '>') out += e;
        else if (e === 'Q') unsupported('\\Q inside a class', i);
        else out += `\\${e}`;
        i += 2;
        continue;
      }
      if (ch === ']' && i > classStart + 1 && !(i === classStart + 2 && pattern[classStart + 1] === '^')) inClass = false;
      out += ch;
      i++;
      continue;
    }
    switch (ch) {
      case '\\': {
        const e = pattern[i + 1];
        if (e === undefined) throw new PatternError('pattern ends with a lone backslash', i);
        i += 2;
        switch (e) {
          case 'A': out += '^'; break;
          case 'z': case 'Z': out += '$'; break;
          case 's': out += `[${PCRE_SPACE}]`; break;
          case 'S': out += `[^${PCRE_SPACE}]`; break;
          case 'h': out += '[ \\t]'; break;
          case 'H': out += '[^ \\t]'; break;
          case 'N': out += '.'; break;
          case 'R': out += '(?:\\r\\n|[\\n\\v\\f\\r])'; break;
          case 'e': out += '\\x1b'; break;
          case 'a': out += '\\x07'; break;
          case '<': case '>': out += escapeJs(e); break;
          case 'Q': {
            const end = pattern.indexOf('\\E', i);
            const lit = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
            out += escapeLiteral(lit);
            i = end < 0 ? n : end + 2;
            break;
          }
          case 'E': break;
          case 'K': unsupported('\\K', i - 2); break;
          case 'G': unsupported('\\G', i - 2); break;
          case 'C': unsupported('\\C', i - 2); break;
          case 'X': unsupported('\\X', i - 2); break;
          case 'p': case 'P': unsupported(`\\${e}{…} (Unicode properties)`, i - 2); break;
          case 'g': {
            const m = /^\{?(-?\d+)\}?/.exec(pattern.slice(i));
            if (!m || m[1]!.startsWith('-')) unsupported('\\g (relative back-reference)', i - 2);
            out += `\\${m![1]}`;
            i += m![0].length;
            break;
          }
          case 'x': {
            if (pattern[i] === '{') {
              const end = pattern.indexOf('}', i);
              const code = parseInt(pattern.slice(i + 1, end), 16);
              if (!(code >= 0) || code > 0xffff) throw new PatternError('bad \\x{…} escape', i - 2);
              out += `\\u${code.toString(16).padStart(4, '0')}`;
              i = end + 1;
            } else out += '\\x';
            break;
          }
          default:
            out += `\\${e}`;
        }
        break;
      }
      case '[':
        inClass = true;
        classStart = i;
        out += '[';
        i++;
        if (pattern[i] === '^') {
          out += '^';
          i++;
        }
        if (pattern[i] === ']') {
          out += '\\]';
          i++;
        }
        classStart = i - 1;
        break;
      case '(': {
        if (pattern[i + 1] === '*') unsupported('(*VERB)', i);
        if (pattern[i + 1] !== '?') {
          out += '(';
          i++;
          break;
        }
        const rest = pattern.slice(i + 2);
        if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
          out += '(?';
          i += 2;
        } else if (rest.startsWith('P<')) {
          out += '(?<';
          i += 4;
        } else if (rest.startsWith('<') || rest.startsWith("'")) {
          const close = rest.startsWith('<') ? '>' : "'";
          const end = pattern.indexOf(close, i + 3);
          out += `(?<${pattern.slice(i + 3, end)}>`;
          i = end + 1;
        } else if (rest.startsWith('P=')) {
          const end = pattern.indexOf(')', i);
          out += `\\k<${pattern.slice(i + 4, end)}>`;
          i = end + 1;
        } else if (rest.startsWith('#')) {
          i = pattern.indexOf(')', i) + 1;
          if (i === 0) throw new PatternError('comment group is never closed', n);
        } else if (rest.startsWith('>')) {
          unsupported('(?>…) (atomic group)', i);
        } else if (rest.startsWith('|')) {
          unsupported('(?|…) (branch reset)', i);
        } else if (rest.startsWith('(')) {
          unsupported('(?(…)…) (conditional)', i);
        } else if (/^[R0-9+-]/.test(rest) || rest.startsWith('&') || rest.startsWith('P>')) {
          unsupported('(?R) / (?n) (recursion)', i);
        } else {
          const m = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?(\)|:)/.exec(rest);
          if (!m) throw new PatternError(`unknown group syntax "(?${rest.slice(0, 3)}"`, i);
          const flags = m[1]! + (m[2] ?? '');
          // In a caseless pattern (?i) changes nothing; otherwise, and for other flags, JS (Node 20) cannot scope them.
          if (flags.replace(/i/g, '') !== '' || (m[2] ?? '').includes('i') || (!caseless && flags.includes('i'))) unsupported(`inline flags (?${m[1]}${m[2] !== undefined ? `-${m[2]}` : ''})`, i);
          if (m[3] === ')') {
            i += 2 + m[0].length;
          } else {
            out += '(?:';
            i += 2 + m[0].length;
          }
        }
        break;
      }
      case '*': case '+': case '?': case '}': {
        out += ch;
        i++;
        if (ungreedy && (ch !== '?' || isQuantifierEnd(pattern, i - 1)) && !(ch === '}' && !/\{\d*,?\d*\}$/.test(out))) {
          if (pattern[i] === '?') i++;
          else out += '?';
          break;
        }
        if (pattern[i] === '+' && ch !== '?' ) unsupported(`possessive quantifier "${ch}+"`, i - 1);
        if (pattern[i] === '+' && ch === '?' && isQuantifierEnd(pattern, i - 1)) unsupported('possessive quantifier "?+"', i - 1);
        break;
      }
      case '.':
        // PCRE2's dot excludes only \n; JavaScript's also excludes \r, U+2028 and U+2029.
        out += flags.includes('s') ? '[\\s\\S]' : '[^\\n]';
        i++;
        break;
      default:
        out += ch;
        i++;
    }
  }
  if (inClass) throw new PatternError('character class is never closed (missing "]")', classStart);
  return { source: out, flags };
}

function isQuantifierEnd(pattern: string, at: number): boolean {
  // `?+` is possessive only when the `?` is itself a quantifier (not the `?` of `(?`).
  return at > 0 && pattern[at - 1] !== '(';
}
