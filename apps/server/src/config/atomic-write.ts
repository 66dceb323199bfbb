// Writing a rule, decoder or config file so that a reader (the file watcher, a reload, a crash)
// sees either the old content or the new one, never half: a temp file beside it, flushed, then
// renamed over it. The file keeps its mode, unless one is given.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, content: string, fixedMode?: number): void {
  let mode = fixedMode ?? 0o644;
  if (fixedMode === undefined) {
    try {
      mode = statSync(path).mode & 0o7777;
    } catch {
      // a new file: the default mode
    }
  }
  // A dot name that does not end in .xml: the ruleset watcher does not take it for a rule file.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
