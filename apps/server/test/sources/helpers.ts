import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LineSink, RawLine } from '../../src/sources/index.js';

/** Polls `check` until it returns truthy (or stops throwing), failing after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${label}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A temp dir of its own for one test; call the returned cleanup in afterEach. */
export function makeTempDir(prefix = 'portcullis-src-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Collector {
  sink: LineSink;
  batches: RawLine[][];
  lines: () => string[];
  all: () => RawLine[];
}

export function collect(): Collector {
  const batches: RawLine[][] = [];
  return {
    sink: (lines) => void batches.push(lines),
    batches,
    lines: () => batches.flat().map((l) => l.line),
    all: () => batches.flat(),
  };
}
