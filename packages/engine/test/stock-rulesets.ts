// The whole rulesets the engine tests run lines through: the stock OSSEC 4.2 home and Wazuh 4.14
// ruleset (GPL test data, read from ../shared beside the repository, never copied) and ours.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RulesetInput, SourceFile } from '../src/index.js';

export const repo = resolve(import.meta.dirname, '..', '..', '..');
export const shared = resolve(repo, '..', 'shared');
const read = (path: string): SourceFile => ({ path, text: readFileSync(path, 'utf8') });
const xmlIn = (dir: string): SourceFile[] => readdirSync(dir).filter((n) => n.endsWith('.xml')).sort().map((n) => read(join(dir, n)));

/** The OSSEC 4.2 home's decoders and the rule files its ossec.conf includes, in its order. */
export function ossecHome(): RulesetInput {
  const home = join(shared, 'compat', 'ossec-hids-4.2.0');
  const conf = readFileSync(join(home, 'etc', 'ossec.conf'), 'utf8');
  const includes = [...conf.matchAll(/<include>([^<]+)<\/include>/g)].map((m) => m[1]!.trim());
  return { decoders: [read(join(home, 'etc', 'decoder.xml'))], rules: includes.map((i) => read(join(home, 'rules', i))) };
}

export function wazuhRuleset(): RulesetInput {
  const r = join(shared, 'compat', 'wazuh-4.14.7', 'ruleset');
  return { decoders: xmlIn(join(r, 'decoders')), rules: xmlIn(join(r, 'rules')) };
}

/** Portcullis's own rules (rules/). */
export function shipped(): RulesetInput {
  return { decoders: xmlIn(join(repo, 'rules', 'decoders')), rules: xmlIn(join(repo, 'rules', 'rules')) };
}
