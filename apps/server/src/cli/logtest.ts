// `portcullis logtest`: lines on stdin, one event each, correlation kept for the whole run.
import { parseArgs } from 'node:util';
import { formatLogtest, logTime, logtestJson } from '@portcullis/engine';
import { applyOverrides } from '../pipeline/rule-overrides.js';
import { UsageError, loadContext, newEngine, tzOffset } from './context.js';
import { readLines } from './read-lines.js';
import { storedOverrides } from './stored-overrides.js';

export async function logtestCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      home: { type: 'string' },
      config: { type: 'string' },
      dialect: { type: 'string' },
      time: { type: 'string', default: 'now' },
      year: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      'no-overrides': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.time !== 'now' && values.time !== 'log') throw new UsageError(`--time must be now or log, not "${values.time}"`);
  const year = values.year ? Number(values.year) : new Date().getFullYear();
  if (!Number.isInteger(year) || year < 1970 || year > 9999) throw new UsageError(`--year must be a year, not "${values.year}"`);
  const ctx = loadContext({ home: values.home, config: values.config, dialect: values.dialect });
  const stored = values['no-overrides'] ? { overrides: [], db: null } : storedOverrides(ctx.configPath, values.data, ctx.cfg);
  applyOverrides(ctx.ruleset, stored.overrides);
  // As ossec-logtest and wazuh-logtest do, a passed `ignore` window is cleared rather than
  // re-armed; everything else is the daemon's semantics (see README, "logtest").
  const engine = newEngine(ctx, { ignoreRearm: 'logtest' });
  const useLogTime = values.time === 'log';
  let lastTime = Date.now() / 1000;
  let n = 0;
  const out: string[] = [];
  const flush = () => {
    if (out.length > 0) {
      process.stdout.write(out.join(''));
      out.length = 0;
    }
  };
  const tuned = stored.overrides.length > 0 ? `, ${stored.overrides.length} override(s) from ${stored.db}` : '';
  if (!values.json) process.stderr.write(`portcullis logtest: ${ctx.dialect} dialect, config ${ctx.configPath}, ${ctx.ruleset.tree.all.length} rules${tuned}; type log lines\n\n`);
  for await (const line of readLines(process.stdin)) {
    n++;
    if (useLogTime) {
      const t = logTime(line, year, tzOffset);
      if (t !== null) lastTime = t;
    } else lastTime = Date.now() / 1000;
    const results = engine.processLine(line, 'stdin', lastTime);
    if (results.length === 0 && values.json) out.push(`${JSON.stringify({ line: n, processed: false })}\n`);
    for (const r of results) {
      if (values.json) {
        const j = logtestJson(n, r);
        delete j.description;
        out.push(`${JSON.stringify(j)}\n`);
      } else out.push(`${formatLogtest(r, ctx.dialect)}\n`);
    }
    if (out.length >= 512 || !values.json) flush();
  }
  flush();
  return 0;
}
