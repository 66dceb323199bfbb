// The `portcullis` command: a thin face over the same modules the server uses.
import { RulesetError, RulesetLoadError } from '@portcullis/engine';
import { UsageError } from './cli/context.js';
import type { ReaderInit } from './cli/replay-reader.js';

const USAGE = `usage: portcullis <command> [options]

commands:
  start          run the server (API, dashboard, log sources, active response)
  logtest        read log lines on stdin and show how the rules see them
  replay FILE    run a whole log file through the rules and active responses (no scripts run)
  check-config   validate a config and its rules; print every error with file and line
  block IP       block an address now (break-glass, works without the web UI)
  release IP     release a block now (break-glass)
  user add NAME  create a user (--role viewer|responder|admin; password asked, or read from stdin)
  user passwd NAME  set a user's password (asked, or read from stdin): the way in when locked out
  user list      list the users
  host add NAME  register a host: prints its bouncer API key, ingest token and config snippets once (--json)
  host list | rotate NAME | remove NAME | cert NAME [--out DIR]   registered hosts and their client certificates
  ca init        make a small CA and a server certificate (--dir DIR, --name HOST repeatable, --force)

start options: --config FILE (PORTCULLIS_CONFIG), --data DIR (PORTCULLIS_DATA), --listen HOST:PORT (PORTCULLIS_LISTEN)

common options: --config FILE, --home DIR (an OSSEC/Wazuh installation root), --dialect wazuh|ossec`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start':
      return (await import('./cli/start.js')).startCommand(rest);
    case 'user':
      return (await import('./cli/user.js')).userCommand(rest);
    case 'host':
      return (await import('./cli/host.js')).hostCommand(rest);
    case 'ca':
      return (await import('./cli/ca.js')).caCommand(rest);
    case 'logtest':
      return (await import('./cli/logtest.js')).logtestCommand(rest);
    case 'replay':
      return (await import('./cli/replay.js')).replayCommand(rest);
    case 'check-config':
      return (await import('./cli/check-config.js')).checkConfigCommand(rest);
    case 'block':
      return (await import('./cli/block.js')).blockCommand(rest);
    case 'release':
      return (await import('./cli/release.js')).releaseCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      console.error(`portcullis: unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

// A worker thread of a command started from the bundle runs its part here: bin/bundle-worker.js
// leaves its workerData under this symbol (node:worker_threads is not loaded to ask: 3 ms of every start).
const workerRole = (globalThis as Record<symbol, { role?: string } | undefined>)[Symbol.for('portcullis.workerData')];
if (workerRole?.role === 'replay-reader') void import('./cli/replay-reader.js').then((m) => m.runReader(workerRole as ReaderInit));
else void run();

function run(): Promise<void> {
  return main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    async (err: unknown) => {
      // Loaded only here: database.js brings better-sqlite3, which a replay or logtest does not need.
      const { DataDirError } = await import('./db/database.js');
      if (err instanceof RulesetLoadError) {
        for (const e of err.errors) console.error(e.toString());
        console.error(`portcullis: ${err.errors.length} error(s); nothing was loaded`);
        process.exitCode = 1;
      } else if (err instanceof RulesetError) {
        console.error(err.toString());
        process.exitCode = 1;
      } else if (err instanceof DataDirError) {
        console.error(`portcullis: ${err.message}`);
        process.exitCode = 1;
      } else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        console.error(`portcullis: ${(err as Error).message}`);
        process.exitCode = 2;
      } else {
        console.error(err);
        process.exitCode = 1;
      }
    },
  );
}
