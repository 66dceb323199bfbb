// Readiness: can what the config asks for actually happen here? Every <command>'s script (found,
// a regular file, executable, safe to run as root), what our scripts' preflight says they would
// use (the firewall backend), every <active-response>'s binding, and every watched log file.
// Computed here only; the start banner, `check-config`, GET /api/health and the dashboard show it.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Dialect, Rule } from '@portcullis/engine';
import { arTarget, bindActiveResponses } from '@portcullis/engine';
import type { CommandReadiness, Readiness, ReadinessProblem } from '@portcullis/shared';
import type { CommandConfig, OssecConfig } from '../../config/ossec-config.js';
import type { ActiveResponseDirChoice } from '../../config/server-config.js';
import { shippedActiveResponse } from '../../paths.js';
import { arBindingsOf } from '../active-response/policy.js';
import { hasPreflight, resolveExecutable, unsafeLib } from '../active-response/executables.js';
import { checkLogFiles } from './log-files.js';
import { runPreflight } from './preflight.js';
import { currentUser, type RunAs } from '../active-response/run-as.js';

export interface ReadinessInput {
  cfg: OssecConfig;
  /** The config's home: relative <location>s resolve against it. */
  home: string;
  arDir: ActiveResponseDirChoice;
  /** The compiled rules, to tell an <active-response> that no rule triggers. */
  rules?: { all: Iterable<Rule>; dialect: Dialect };
  /** The environment scripts run with (PATH, PORTCULLIS_FW_BACKEND, …), for their preflight. */
  env: NodeJS.ProcessEnv;
  /** Default: this process's user (scripts run as it). */
  user?: RunAs;
  /** Default 5000 ms. */
  preflightTimeoutMs?: number;
  /** Active registered hosts (many hosts), by name; undefined when not known (check-config reads no database). */
  hosts?: readonly string[];
  now?: Date;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function where(file: string, line: number): string {
  return `${file}:${line}`;
}

/** Why the directory is this one, for messages. */
function dirOrigin(arDir: ActiveResponseDirChoice, configFile: string): string {
  switch (arDir.from) {
    case 'config': return `set by <active_response_dir> in ${configFile}`;
    case 'env': return 'set by PORTCULLIS_ACTIVE_RESPONSE_DIR';
    case 'home': return "the config's own active-response directory";
    case 'shipped': return 'the shipped scripts';
  }
}

function missingDirFix(arDir: ActiveResponseDirChoice, configFile: string, executable: string): string {
  switch (arDir.from) {
    case 'config': return `create ${arDir.path} and put ${executable} in it, or remove <active_response_dir> from ${configFile} to use the shipped scripts in ${shippedActiveResponse}`;
    case 'env': return `create ${arDir.path} and put ${executable} in it, or unset PORTCULLIS_ACTIVE_RESPONSE_DIR to use the shipped scripts in ${shippedActiveResponse}`;
    default: return `restore ${arDir.path} (the scripts shipped with Portcullis)`;
  }
}

export async function evaluateReadiness(input: ReadinessInput): Promise<Readiness> {
  const { cfg, arDir } = input;
  const user = input.user ?? currentUser();
  const now = input.now ?? new Date();
  const problems: ReadinessProblem[] = [];
  const dirExists = isDirectory(arDir.path);

  // Which commands an enabled <active-response> would run, and bindings that never run here.
  const used = new Set<string>();
  const bindings = arBindingsOf(cfg);
  const bound = input.rules ? bindActiveResponses(input.rules.all, bindings, input.rules.dialect) : null;
  cfg.activeResponses.forEach((ar, index) => {
    if (ar.disabled) return;
    const at = where(ar.file, ar.line);
    if (!cfg.commands.some((c) => c.name === ar.command)) {
      problems.push({ severity: 'error', area: 'config', code: 'AR_UNKNOWN_COMMAND', subject: ar.file, message: `<active-response> at ${at} names the command "${ar.command}", which no <command> defines`, fix: `add a <command> named ${ar.command}, or correct the name` });
      return;
    }
    if (arTarget(ar.location) !== 'local') {
      // Agent locations run on registered hosts' bouncers (modules/active-response/targets.ts).
      const hosts = input.hosts;
      if (hosts === undefined) {
        problems.push({ severity: 'warning', area: 'active_response', code: 'AR_HOSTS_UNKNOWN', subject: ar.file, message: `<active-response> for ${ar.command} at ${at} has <location>${ar.location}</location>: it runs on registered hosts' bouncers, and this check does not read the database to see which are registered`, fix: 'see them with: portcullis host list' });
      } else if (hosts.length === 0) {
        problems.push({ severity: 'error', area: 'active_response', code: 'AR_AGENTS_ONLY', subject: ar.file, message: `<active-response> for ${ar.command} at ${at} has <location>${ar.location}</location>, which runs on registered hosts: none is registered, so it never runs`, fix: `register the hosts (portcullis host add NAME) or use <location>local</location> in ${ar.file}` });
        return;
      } else if (/defined-agent/i.test(ar.location)) {
        const unknown = (ar.agentId ?? '').split(',').map((n) => n.trim()).filter((n) => n && !hosts.includes(n));
        if (unknown.length > 0) problems.push({ severity: 'error', area: 'active_response', code: 'AR_UNKNOWN_HOST', subject: ar.file, message: `<active-response> for ${ar.command} at ${at} names <agent_id>${ar.agentId}</agent_id>: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a registered host, so ${unknown.length === 1 ? 'it gets' : 'they get'} no block`, fix: `register ${unknown.length === 1 ? 'it' : 'them'} (portcullis host add ${unknown[0]}) or correct <agent_id> in ${ar.file}` });
      }
      // `all` also runs the server's own script; `defined-agent` alone does not.
      if (!/all|any|server|analysisd/i.test(ar.location)) return;
    }
    used.add(ar.command);
    if (bound && ![...bound.values()].some((list) => list.some((b) => b.index === index))) {
      problems.push({ severity: 'warning', area: 'active_response', code: 'AR_NO_RULE', subject: ar.file, message: `<active-response> for ${ar.command} at ${at} matches no rule (its level, rules_group or rules_id), so it never runs`, fix: `check its <level>, <rules_group> or <rules_id> in ${ar.file}` });
    }
  });

  const commands = await Promise.all(cfg.commands.map((c) => checkCommand(c, used.has(c.name), input, dirExists, user, problems)));
  for (const c of commands) {
    if (!c.used) {
      const cmd = cfg.commands.find((x) => x.name === c.name)!;
      problems.push({ severity: 'warning', area: 'active_response', code: 'COMMAND_UNUSED', subject: cmd.file, message: `<command> ${c.name} at ${where(cmd.file, cmd.line)} is not used by any enabled <active-response>: it runs only for manual blocks that name it`, fix: `add an <active-response> for it, or remove it` });
    }
  }

  const logs = await checkLogFiles(cfg.localfiles, input.home, user, now);
  problems.push(...logs.problems);
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));

  const arError = problems.some((p) => p.severity === 'error' && p.area !== 'log_file');
  return {
    checked_at: now.toISOString(),
    active_response: cfg.activeResponses.every((a) => a.disabled) ? 'none' : arError ? 'not_ready' : 'ready',
    active_response_dir: { path: arDir.path, from: arDir.from, exists: dirExists },
    user: user.name,
    commands,
    log_files: logs.entries,
    problems,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
  };
}

async function checkCommand(c: CommandConfig, used: boolean, input: ReadinessInput, dirExists: boolean, user: RunAs, problems: ReadinessProblem[]): Promise<CommandReadiness> {
  const { arDir, cfg } = input;
  // A command no active response uses only matters for manual blocks: its problems are warnings.
  const severity = used ? 'error' : 'warning';
  const label = `<command> ${c.name} (${where(c.file, c.line)})`;
  const fail = (code: string, path: string | null, subject: string, message: string, fix: string): CommandReadiness => {
    problems.push({ severity, area: 'active_response', code, subject, message: `${label}: ${message}`, fix });
    return { name: c.name, executable: c.executable, path, used, ok: false, backend: null, problem: message };
  };
  if (!dirExists) {
    return fail('AR_DIR_MISSING', null, arDir.path, `the active-response directory ${arDir.path} (${dirOrigin(arDir, cfg.file)}) does not exist`, missingDirFix(arDir, cfg.file, c.executable));
  }
  const r = resolveExecutable(arDir.path, c.executable, user);
  if (!r.ok) return fail(r.code, r.path, r.path ?? arDir.path, r.message, r.fix);
  const ours = hasPreflight(r.path);
  if (ours && user.uid === 0) {
    const bad = unsafeLib(dirname(r.path));
    if (bad) return fail('SCRIPT_UNSAFE', r.path, r.path, bad.message, bad.fix);
  }
  if (!ours) return { name: c.name, executable: c.executable, path: r.path, used, ok: true, backend: null, problem: null };
  const pre = await runPreflight(r.path, input.env, input.preflightTimeoutMs ?? 5000);
  if (!pre.ok) return fail('PREFLIGHT_FAILED', r.path, r.path, `${r.path} cannot act: ${pre.message}`, pre.fix ?? `run ${r.path} preflight to see why`);
  return { name: c.name, executable: c.executable, path: r.path, used, ok: true, backend: pre.backend, problem: null };
}
