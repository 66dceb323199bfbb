// One snapshot of the active-response configuration: the <command>s, the <active-response> bindings
// per rule id (the engine's bindActiveResponses, spec §6.1), and the white list. Rebuilt whenever
// the ruleset or the config is reloaded; the service always reads the current snapshot.
import type { ArBinding, Dialect, Rule } from '@portcullis/engine';
import { WhiteList, bindActiveResponses } from '@portcullis/engine';
import type { CommandConfig, OssecConfig } from '../../config/ossec-config.js';

export interface ArPolicy {
  dialect: Dialect;
  commands: Map<string, CommandConfig>;
  /** Rule id → the active responses bound to it. Empty when built without rules (CLI break-glass). */
  bound: Map<number, ArBinding[]>;
  /** Every enabled binding, by its position in the config. */
  bindings: ArBinding[];
  whiteList: WhiteList;
  /** The <agent_id> of each <active-response> by its index (defined-agent: host names, comma-separated). */
  agentIds: Map<number, string | null>;
}

/** The enabled <active-response> blocks as the engine's bindings (same shape `replay` uses). */
export function arBindingsOf(cfg: OssecConfig): ArBinding[] {
  const out: ArBinding[] = [];
  cfg.activeResponses.forEach((ar, index) => {
    if (ar.disabled) return;
    const cmd = cfg.commands.find((c) => c.name === ar.command);
    if (!cmd) return; // parseOssecConfig refuses this; kept for a config built by hand
    out.push({
      index,
      command: { name: cmd.name, executable: cmd.executable, timeoutAllowed: cmd.timeoutAllowed, expect: cmd.expect },
      location: ar.location,
      level: ar.level,
      rulesGroup: ar.rulesGroup,
      rulesId: ar.rulesId,
      timeout: ar.timeout,
      repeatedOffenders: ar.repeatedOffenders,
    });
  });
  return out;
}

/** `whiteList`: entries kept besides the config's (the dashboard's white list). */
export function buildPolicy(cfg: OssecConfig, dialect: Dialect, rules: Iterable<Rule> = [], whiteList: string[] = []): ArPolicy {
  const bindings = arBindingsOf(cfg);
  return {
    dialect,
    commands: new Map(cfg.commands.map((c) => [c.name, c])),
    bound: bindActiveResponses(rules, bindings, dialect),
    bindings,
    whiteList: new WhiteList([...cfg.whiteList, ...whiteList]),
    agentIds: new Map(cfg.activeResponses.map((ar, i) => [i, ar.agentId])),
  };
}

/**
 * The command a manual block runs when none is named: `firewall-drop` when defined, else the
 * command of the first enabled binding that has a timeout, else the first timeout_allowed command.
 */
export function defaultBlockCommand(p: ArPolicy): CommandConfig | null {
  const fw = p.commands.get('firewall-drop');
  if (fw) return fw;
  const bound = p.bindings.find((b) => b.timeout > 0);
  if (bound) return p.commands.get(bound.command.name) ?? null;
  return [...p.commands.values()].find((c) => c.timeoutAllowed) ?? null;
}

/** The timeout and repeated_offenders of the first enabled binding of a command (manual blocks' default). */
export function bindingOf(p: ArPolicy, command: string): ArBinding | null {
  return p.bindings.find((b) => b.command.name === command) ?? null;
}
