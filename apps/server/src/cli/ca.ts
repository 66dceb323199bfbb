// `portcullis ca init [--dir D] [--name HOST]... [--force]`: Portcullis as its own small CA. Makes
// ca.crt/ca.key and a server certificate (server.crt/server.key) for the names given (default:
// this machine's name, localhost, 127.0.0.1) in <data_dir>/ca/, every file 0600. Never overwrites
// an existing CA unless --force. Host client certificates: `portcullis host cert NAME`.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './context.js';
import { resolveServerConfig } from '../config/server-config.js';
import { CaError, initCa } from '../modules/hosts/ca.js';

const USAGE = 'usage: portcullis ca init [--dir DIR] [--name HOST]... [--force] [--config FILE] [--data DIR]';

export async function caCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      data: { type: 'string' },
      dir: { type: 'string' },
      name: { type: 'string', multiple: true },
      force: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || positionals[0] !== 'init') throw new UsageError(USAGE);
  // --dir needs no config; the default is under the config's data directory.
  const dir = values.dir ? resolve(values.dir) : join(resolveServerConfig({ config: values.config, data: values.data }).dataDir, 'ca');
  const names = values.name && values.name.length > 0 ? values.name : [...new Set([hostname(), 'localhost', '127.0.0.1'])];
  for (const n of names) if (!/^[A-Za-z0-9*]([A-Za-z0-9.:*-]{0,252})$/.test(n)) throw new UsageError(`--name "${n}" is not a host name or an address`);
  try {
    const { files } = await initCa(dir, names, { force: values.force });
    console.log(`CA and server certificate written to ${dir} (files 0600):`);
    console.log(`  ${files.caCert}\n  ${files.caKey}  (keep it here: it signs the hosts' certificates)`);
    console.log(`  ${files.serverCert}  (names: ${names.join(', ')})\n  ${files.serverKey}`);
    const pem = `<cert>${files.serverCert}</cert>\n    <key>${files.serverKey}</key>\n    <client_ca>${files.caCert}</client_ca>`;
    console.log('\nIn <portcullis> of the config: HTTPS for the dashboard, the bouncer API and journal uploads,');
    console.log(`  <tls>\n    ${pem}\n  </tls>`);
    console.log('and RFC 5425 syslog from the hosts (each known by its client certificate):');
    console.log(`  <syslog protocol="tls">\n    <listen>0.0.0.0:6514</listen>\n    <allowed-ips>any</allowed-ips>\n    ${pem}\n  </syslog>`);
    console.log('\nA client certificate per host: portcullis host cert NAME --out DIR');
    return 0;
  } catch (err) {
    if (err instanceof CaError) {
      console.error(`portcullis: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
