// CDB list sources as rules read them: `key:value` per line, named as the config writes them.
import type { SourceFile } from './types.js';

/** Parses `key:value` list sources (a line without `:` is a key with an empty value). */
export function parseLists(files: SourceFile[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const f of files) {
    const m = new Map<string, string>();
    for (const raw of f.text.split('\n')) {
      const line = raw.replace(/\r$/, '');
      if (line === '' || line.startsWith('#')) continue;
      const i = line.indexOf(':');
      if (i < 0) m.set(line, '');
      else m.set(line.slice(0, i), line.slice(i + 1));
    }
    out.set(f.path, m);
  }
  return out;
}
