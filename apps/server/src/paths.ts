// Where the shipped parts of Portcullis live, relative to this package (works from src/ and dist/).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository (installation) root: apps/server/{src,dist}/ → ../../.. */
export const installRoot = resolve(here, '..', '..', '..');
export const shippedConfig = join(installRoot, 'etc', 'portcullis.conf');
export const shippedRules = join(installRoot, 'rules');
export const shippedActiveResponse = join(installRoot, 'active-response');
export const migrationsDir = join(installRoot, 'migrations');
export const webDist = join(installRoot, 'apps', 'web', 'dist');
