// Rewriting only the <command>/<active-response> blocks of a config: the rest of the file stays
// byte for byte, whether the blocks sit together, are spread out, share a line, or are absent.
import { parseOssecConfig } from '../../src/config/ossec-config.js';
import { describe, expect, it } from 'vitest';
import { findBlocks, replaceBlocks } from '../../src/modules/responses/response-blocks.js';

const CMD = '<command><name>a</name><executable>a.sh</executable></command>';

function roundTrip(text: string): string {
  const found = findBlocks(text, 'c.conf');
  return replaceBlocks(text, found, found.xml).text;
}

describe('response blocks of a config', () => {
  it('keeps blocks that sit together as one span, with the comments between them', () => {
    const text = `<ossec_config>
  <global><white_list>127.0.0.1</white_list></global>

  ${CMD}

  <!-- drop brute forces -->
  <active-response>
    <command>a</command>
    <location>local</location>
  </active-response>

  <portcullis><dialect>wazuh</dialect></portcullis>
</ossec_config>
`;
    const found = findBlocks(text, 'c.conf');
    expect(found.contiguous).toBe(true);
    expect(found.xml).toBe(`  ${CMD}\n\n  <!-- drop brute forces -->\n  <active-response>\n    <command>a</command>\n    <location>local</location>\n  </active-response>\n`);
    expect(roundTrip(text)).toBe(text);
    const next = replaceBlocks(text, found, `  ${CMD.replace('a.sh', 'b.sh')}\n`);
    expect(next.text).toBe(text.replace(/ {2}<command>[\s\S]*<\/active-response>\n/, `  ${CMD.replace('a.sh', 'b.sh')}\n`));
    expect(next.firstLine).toBe(4);
    expect(parseOssecConfig(next.text, 'c.conf').commands[0]!.executable).toBe('b.sh');
  });

  it('takes spread-out blocks one by one and puts the new XML where the first was', () => {
    const text = `<ossec_config>
  ${CMD}
  <localfile><location>/var/log/auth.log</location></localfile>
  <active-response><command>a</command><location>local</location></active-response>
</ossec_config>
`;
    const found = findBlocks(text, 'c.conf');
    expect(found.contiguous).toBe(false);
    expect(found.blocks.map((b) => b.name)).toEqual(['command', 'active-response']);
    expect(roundTrip(text)).toBe(`<ossec_config>
  ${CMD}

  <active-response><command>a</command><location>local</location></active-response>
  <localfile><location>/var/log/auth.log</location></localfile>
</ossec_config>
`);
    expect(parseOssecConfig(roundTrip(text), 'c.conf').localfiles).toHaveLength(1);
  });

  it('adds blocks before </ossec_config> when there are none, and never cuts text sharing a line', () => {
    const none = '<ossec_config>\n  <global></global>\n</ossec_config>\n';
    const added = replaceBlocks(none, findBlocks(none, 'c.conf'), `  ${CMD}\n`);
    expect(added.text).toBe(`<ossec_config>\n  <global></global>\n  ${CMD}\n</ossec_config>\n`);
    expect(added.firstLine).toBe(3);

    const shared = `<ossec_config><global></global>${CMD}</ossec_config>\n`;
    const out = replaceBlocks(shared, findBlocks(shared, 'c.conf'), CMD.replace('a.sh', 'c.sh'));
    expect(out.text).toBe(`<ossec_config><global></global>\n${CMD.replace('a.sh', 'c.sh')}\n</ossec_config>\n`);
    expect(parseOssecConfig(out.text, 'c.conf').commands[0]!.executable).toBe('c.sh');
  });
});
