#!/usr/bin/env node
// A dual-stack TCP listener for the "server" namespace: accepts and closes. Prints "listening".
import net from 'node:net';

const port = Number(process.argv[2] ?? 8080);
const server = net.createServer((s) => {
  s.on('error', () => undefined);
  s.end();
});
server.listen({ host: '::', port, ipv6Only: false }, () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));
