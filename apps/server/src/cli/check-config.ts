// `portcullis check-config`: validate a config and its ruleset, print every error with file and line.
import { parseArgs } from 'node:util';
import { RulesetLoadError } from '@portcullis/engine';
import { loadContext } from './context.js';

export async function checkConfigCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { home: { type: 'string' }, config: { type: 'string' }, dialect: { type: 'string' } },
    strict: true,
  });
  try {
    const ctx = loadContext({ home: values.home, config: values.config, dialect: values.dialect });
    for (const w of ctx.ruleset.warnings) console.error(`warning: ${w.toString()}`);
    const t = ctx.ruleset.tree;
    console.log(
      `${ctx.configPath}: OK (${ctx.dialect} dialect; ${ctx.ruleset.decoders.all.length} decoders, ${t.all.length} rules, ` +
        `${ctx.cfg.commands.length} commands, ${ctx.cfg.activeResponses.length} active responses, ${ctx.cfg.localfiles.length} log files)`,
    );
    return 0;
  } catch (e) {
    if (e instanceof RulesetLoadError) {
      for (const err of e.errors) console.error(err.toString());
      console.error(`${e.errors.length} error(s)`);
      return 1;
    }
    throw e;
  }
}
