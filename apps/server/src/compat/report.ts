// `npm run compat`: prints the compatibility scores — the stock .ini suites and agreement with
// real OSSEC 4.2 on the three corpora. Reads ../shared beside the repository.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadContext, newEngine } from '../cli/context.js';
import { installRoot } from '../paths.js';
import { iniCases, runIniCase } from './ini.js';
import { ORACLE_CORPORA, corpusPaths, logtestFile, scoreAgainstOracle } from './oracle.js';

const shared = resolve(installRoot, '..', 'shared');
if (!existsSync(join(shared, 'compat'))) {
  console.error(`compat data not found at ${shared}/compat (../shared must sit beside the repository)`);
  process.exit(1);
}

let failed = false;
console.log('.ini suites (expected rule, level and decoder per log line)');
for (const s of [
  { home: 'wazuh-4.14.7', dialect: 'wazuh' as const, dir: 'ruleset/testing/tests' },
  { home: 'ossec-hids-3.3.0', dialect: 'ossec' as const, dir: 'contrib/ossec-testing/tests' },
]) {
  const home = join(shared, 'compat', s.home);
  const ctx = loadContext({ home, dialect: s.dialect });
  for (const file of readdirSync(join(home, s.dir)).filter((f) => f.endsWith('.ini')).sort()) {
    const cases = iniCases(join(home, s.dir, file), s.dialect);
    const ok = cases.filter((c) => runIniCase(c, newEngine(ctx, { ignoreRearm: 'logtest' }), 1_700_000_000).ok).length;
    if (ok !== cases.length) failed = true;
    console.log(`  ${`${s.home}/${file}`.padEnd(32)} ${s.dialect.padEnd(6)} ${String(ok).padStart(4)}/${String(cases.length).padEnd(4)} ${((100 * ok) / cases.length).toFixed(1)}%`);
  }
}

console.log('\nagreement with real OSSEC 4.2 (alert, rule_id, level, decoder, srcip, dstuser, srcuser)');
const ctx = loadContext({ home: join(shared, 'compat', 'ossec-hids-4.2.0'), dialect: 'ossec' });
for (const corpus of ORACLE_CORPORA) {
  const { log, oracle } = corpusPaths(shared, corpus);
  const score = scoreAgainstOracle(corpus, logtestFile(newEngine(ctx, { ignoreRearm: 'logtest' }), log), oracle);
  if (score.agreement < 0.999) failed = true;
  console.log(`  ${corpus.padEnd(32)} ${String(score.agreeing).padStart(6)}/${String(score.lines).padEnd(6)} ${(100 * score.agreement).toFixed(3)}%`);
  for (const d of score.disagreements.slice(0, 20)) console.log(`    line ${d.line} [${d.keys.join(',')}]: ours ${JSON.stringify(d.ours)} | oracle ${JSON.stringify(d.oracle)}`);
}
process.exitCode = failed ? 1 : 0;
