// Development only (see source-boot.mjs): module hooks that let a worker thread import the server's
// TS sources. A relative `./x.js` from a .ts file resolves to `./x.ts` when that exists (as tsc's
// NodeNext output does), and a .ts file is transpiled alone with TypeScript's transpileModule:
// types stripped, nothing checked (tsc and the tests do that). Outputs are kept in the temp
// directory by content hash, so TypeScript (slow to load) is loaded only when a source changed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = join(tmpdir(), 'portcullis-worker-ts');
let ts = null;

export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const text = readFileSync(file, 'utf8');
  const cached = join(cacheDir, `${createHash('sha256').update(file).update('\0').update(text).digest('hex')}.js`);
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  ts ??= (await import('typescript')).default;
  const out = ts.transpileModule(text, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, inlineSourceMap: true },
  });
  mkdirSync(cacheDir, { recursive: true });
  const part = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(part, out.outputText);
  renameSync(part, cached);
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
