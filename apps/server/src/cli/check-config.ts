// `portcullis check-config`: validate a config and its ruleset, print every error with file and line,
// then whether what it asks for can happen here (readiness: scripts, firewall, log files). Exits 1
// on any error — a rule that does not compile, an active response that cannot run, a log file that
// cannot be read — and 0 with warnings (a log file not there yet).
import { parseArgs } from 'node:util';
import { RulesetError, RulesetLoadError } from '@portcullis/engine';
import { activeResponseDirOf, scriptEnvironment, syslogListenersOf, tlsOf } from '../config/server-config.js';
import { evaluateReadiness } from '../modules/readiness/readiness.js';
import { arDirLine, commandLines, problemLines } from '../modules/readiness/readiness.text.js';
import { loadContext } from './context.js';

export async function checkConfigCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { home: { type: 'string' }, config: { type: 'string' }, dialect: { type: 'string' } },
    strict: true,
  });
  let ctx;
  try {
    ctx = loadContext({ home: values.home, config: values.config, dialect: values.dialect });
  } catch (e) {
    if (e instanceof RulesetLoadError) {
      for (const err of e.errors) console.error(err.toString());
      console.error(`${e.errors.length} error(s)`);
      return 1;
    }
    throw e;
  }
  for (const w of ctx.ruleset.warnings) console.error(`warning: ${w.toString()}`);
  try {
    const tls = tlsOf(ctx.cfg, ctx.home);
    if (tls) console.log(`HTTPS: ${tls.certPath}${tls.clientCaPath ? `, client certificates from ${tls.clientCaPath}` : ''}`);
    for (const s of syslogListenersOf(ctx.cfg, ctx.home)) {
      if (s.tls) console.log(`syslog over TLS on ${s.host}:${s.port}: ${s.tls.cert}, client certificates from ${s.tls.clientCa}`);
    }
  } catch (e) {
    if (e instanceof RulesetError) {
      console.error(e.toString());
      console.error('1 error(s)');
      return 1;
    }
    throw e;
  }
  const t = ctx.ruleset.tree;
  const readiness = await evaluateReadiness({
    cfg: ctx.cfg,
    home: ctx.home,
    arDir: activeResponseDirOf(ctx.cfg, ctx.home),
    rules: { all: t.all, dialect: ctx.dialect },
    env: scriptEnvironment(),
  });
  const counts =
    `${ctx.dialect} dialect; ${ctx.ruleset.decoders.all.length} decoders, ${t.all.length} rules, ` +
    `${ctx.cfg.commands.length} commands, ${ctx.cfg.activeResponses.length} active responses, ${ctx.cfg.localfiles.length} log files`;
  console.log(`${ctx.configPath}: ${readiness.errors === 0 ? 'OK' : 'rules OK, but see below'} (${counts})`);
  if (readiness.commands.length > 0) {
    console.log(`active-response scripts (run as ${readiness.user}) from ${arDirLine(readiness)}:`);
    for (const line of commandLines(readiness, '  ')) console.log(line);
  }
  for (const line of problemLines(readiness, { color: process.stderr.isTTY === true })) console.error(line);
  if (readiness.errors > 0) {
    const what = readiness.active_response === 'not_ready' ? 'active response will not run as configured' : 'a log file will not be read';
    console.error(`${ctx.configPath}: ${readiness.errors} error(s), ${readiness.warnings} warning(s): ${what}`);
    return 1;
  }
  if (readiness.warnings > 0) console.error(`${readiness.warnings} warning(s)`);
  return 0;
}
