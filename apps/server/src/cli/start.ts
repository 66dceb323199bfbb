// `portcullis start`: run the server.
import { parseArgs } from 'node:util';
import { RulesetError } from '@portcullis/engine';
import { ConfigError } from '../config/server-config.js';
import { MigrationError } from '../db/migrate.js';
import { startServer } from '../main.js';

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, data: { type: 'string' }, listen: { type: 'string' } },
    strict: true,
  });
  try {
    await startServer({ config: values.config, data: values.data, listen: values.listen });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof MigrationError) {
      console.error(`portcullis: ${err.message}`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`portcullis: cannot listen: ${(err as Error).message} (use --listen HOST:PORT or PORTCULLIS_LISTEN)`);
      return 1;
    }
    if (err instanceof RulesetError) {
      console.error(err.toString());
      return 1;
    }
    throw err; // RulesetLoadError and the rest: the CLI prints them
  }
  return new Promise<number>(() => undefined); // runs until a signal
}
