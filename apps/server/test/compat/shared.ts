import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared` beside the repository, as CI lays it out. */
export const sharedDir = resolve(import.meta.dirname, '..', '..', '..', '..', '..', 'shared');
export const compatDir = join(sharedDir, 'compat');
export const corpusDir = join(sharedDir, 'corpus');
if (!existsSync(compatDir)) throw new Error(`test data not found: ${compatDir} (../shared must sit beside the repository)`);
