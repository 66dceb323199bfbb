// The XML reader follows OSSEC's os_xml: several roots, no entity decoding, `\<` kept in text,
// and every syntax error points at file:line:column.
import { describe, expect, it } from 'vitest';
import { attr, attrCI, parseXml, RulesetError } from '../src/index.js';

function syntaxError(src: string): RulesetError {
  try {
    parseXml(src, 'bad.xml');
  } catch (e) {
    if (e instanceof RulesetError) return e;
    throw e;
  }
  throw new Error('expected a syntax error');
}

describe('parseXml', () => {
  it('reads several root elements from one file, in order', () => {
    const roots = parseXml('<var name="A">x</var>\n<group name="g"></group>\n<group name="h"/>', 'f.xml');
    expect(roots.map((r) => r.name)).toEqual(['var', 'group', 'group']);
    expect(roots.map((r) => attr(r, 'name'))).toEqual(['A', 'g', 'h']);
  });

  it('skips comments, including ones that contain tags, and the XML declaration', () => {
    const roots = parseXml('<?xml version="1.0"?>\n<!-- <rule id="1"> -->\n<a><!-- <b> --><c/></a>', 'f.xml');
    expect(roots).toHaveLength(1);
    expect(roots[0]!.children.map((c) => c.name)).toEqual(['c']);
  });

  it('accepts single- and double-quoted attributes and finds names case-insensitively with attrCI', () => {
    const [el] = parseXml(`<rule id="100" Level='5' name='it says "hi"'/>`, 'f.xml');
    expect(attr(el!, 'id')).toBe('100');
    expect(attr(el!, 'level')).toBeUndefined();
    expect(attrCI(el!, 'level')?.value).toBe('5');
    expect(attr(el!, 'name')).toBe('it says "hi"');
  });

  it('keeps a backslash-escaped `<` in text and does not decode entities', () => {
    const [el] = parseXml('<regex>^\\<(\\d+)> &lt;x&gt; &amp;</regex>', 'f.xml');
    expect(el!.text).toBe('^\\<(\\d+)> &lt;x&gt; &amp;');
  });

  it('records line and column of elements and attributes', () => {
    const [group] = parseXml('<group>\n  <rule\n     id="7"/>\n</group>', 'f.xml');
    const rule = group!.children[0]!;
    expect([rule.line, rule.column]).toEqual([2, 3]);
    expect(rule.attrs.get('id')).toMatchObject({ value: '7', line: 3, column: 6 });
    expect(rule.file).toBe('f.xml');
  });

  it('reports an unclosed element at its opening tag', () => {
    const e = syntaxError('<group>\n  <rule id="1">\n    <match>x</match>\n');
    expect(e.code).toBe('XML_SYNTAX');
    expect([e.file, e.line, e.column]).toEqual(['bad.xml', 2, 3]);
    expect(e.message).toMatch(/<rule> is never closed/);
    expect(e.toString()).toMatch(/^bad\.xml:2:3: /);
  });

  it('reports a mismatched closing tag where it is, naming the element it closes', () => {
    const e = syntaxError('<group>\n  <rule>\n    <match>x</matc>\n  </rule>\n</group>');
    expect([e.line, e.column]).toEqual([3, 13]);
    expect(e.message).toMatch(/<\/matc> closes <match> opened at line 3, column 5/);
  });

  it('rejects unquoted attribute values at the value', () => {
    const e = syntaxError('<group>\n<rule id=100 level="1"/>\n</group>');
    expect([e.line, e.column]).toEqual([2, 10]);
    expect(e.message).toMatch(/must be quoted/);
  });

  it('rejects an attribute without a value, a duplicate attribute, and a stray closing tag', () => {
    expect(syntaxError('<a x></a>').message).toMatch(/has no value/);
    expect(syntaxError('<a x="1" x="2"/>').message).toMatch(/appears twice/);
    const stray = syntaxError('<a/>\n</b>');
    expect([stray.line, stray.column]).toEqual([2, 1]);
  });

  it('rejects an unterminated comment and an unterminated attribute value', () => {
    const c = syntaxError('<a/>\n  <!-- never closed');
    expect([c.line, c.column]).toEqual([2, 3]);
    expect(syntaxError('<a x="1></a>').message).toMatch(/never closed/);
  });
});
