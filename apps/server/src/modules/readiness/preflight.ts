// `SCRIPT preflight`: our scripts say what an add would use (the firewall backend, the hosts.deny
// file) or what is missing, without changing anything. Run with execFile (never a shell), the
// server's script environment and a short time limit.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';

export type PreflightResult = { ok: true; backend: string } | { ok: false; message: string; fix: string | null };

const EXIT_MISSING = 4;

export function runPreflight(file: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<PreflightResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      ['preflight'],
      { cwd: dirname(file), env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string | null }) | null;
        if (!e) {
          resolve({ ok: true, backend: stdout.trim().split('\n')[0] ?? '' });
          return;
        }
        const lines = `${stderr}`.trim().split('\n').filter(Boolean);
        const fixLine = lines.find((l) => l.startsWith('fix: '));
        const said = lines.filter((l) => l !== fixLine).join(' | ') || stdout.trim();
        if (e.killed) resolve({ ok: false, message: `its preflight did not finish within ${timeoutMs} ms`, fix: null });
        else if (typeof e.code === 'string') resolve({ ok: false, message: `its preflight could not be started (${e.code}: ${e.message})`, fix: null });
        else if (e.code === EXIT_MISSING) resolve({ ok: false, message: said || 'its preflight found something missing', fix: fixLine ? fixLine.slice(5) : null });
        else resolve({ ok: false, message: `its preflight exited with ${e.code ?? e.signal}${said ? `: ${said}` : ''}`, fix: fixLine ? fixLine.slice(5) : null });
      },
    );
  });
}
