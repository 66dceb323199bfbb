// Writes a command's output to stdout without process.stdout: making that stream (net, stream and
// their modules) was ~5% of a replay's start-up. On Linux process.stdout writes synchronously to a
// file, a pipe or a terminal alike, as writeSync does. A reader gone (EPIPE) ends the command
// quietly; any other refusal (a non-blocking pipe that is full) hands the rest to process.stdout.
import { writeSync } from 'node:fs';

export function writeOut(text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let at = 0;
  try {
    while (at < buf.length) at += writeSync(1, buf, at);
  } catch (err) {
    // The reader went away (`replay … | head`): what is left has nowhere to go; end quietly, as
    // other command-line tools do.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
    process.stdout.write(buf.subarray(at));
  }
}
