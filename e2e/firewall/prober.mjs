#!/usr/bin/env node
// Runs inside the "attacker" namespace: TCP connection attempts on request, one JSON line in and
// one JSON line out on stdin/stdout. Every attempt has a short timeout and is closed with a reset
// (no TIME_WAIT), and a watch is bounded in attempts and time, so the traffic stays small.
//   {"op":"probe","src":"10.0.0.2","dst":"10.0.0.1","port":8080}          → {"ok":true|false}
//   {"op":"watch","src":…,"dst":…,"port":…,"until":"drop"|"open","maxMs":5000,"everyMs":2}
//       → {"ok":true,"at":<wall ms of the first attempt that changed>,"attempts":N} or {"ok":false}
import net from 'node:net';
import readline from 'node:readline';

const now = () => performance.timeOrigin + performance.now();

/** One attempt: true when the handshake completes within `timeoutMs`. */
function attempt(src, dst, port, timeoutMs) {
  return new Promise((resolve) => {
    const s = net.connect({ host: dst, port, localAddress: src, family: dst.includes(':') ? 6 : 4 });
    const done = (ok) => {
      clearTimeout(t);
      s.removeAllListeners();
      s.on('error', () => undefined);
      if (typeof s.resetAndDestroy === 'function' && ok) s.resetAndDestroy();
      else s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function handle(req) {
  const timeout = req.timeoutMs ?? 40;
  if (req.op === 'probe') return { ok: await attempt(req.src, req.dst, req.port, req.timeoutMs ?? 1000) };
  if (req.op === 'watch') {
    const want = req.until === 'open';
    const deadline = now() + (req.maxMs ?? 5000);
    let attempts = 0;
    while (now() < deadline && attempts < 20000) {
      const at = now();
      attempts++;
      if ((await attempt(req.src, req.dst, req.port, timeout)) === want) return { ok: true, at, attempts };
      await new Promise((r) => setTimeout(r, req.everyMs ?? 2));
    }
    return { ok: false, attempts };
  }
  return { ok: false, error: 'unknown op' };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  let out;
  try {
    out = await handle(JSON.parse(line));
  } catch (err) {
    out = { ok: false, error: String(err) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
rl.on('close', () => process.exit(0));
