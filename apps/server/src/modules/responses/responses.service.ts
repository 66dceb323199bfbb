// Commands and active responses as the dashboard edits them: the config's <command> and
// <active-response> blocks as data and XML, validated with line and column (malformed XML, an
// unknown command, a timeout on a command without timeout_allowed, a script missing from the
// active-response directory), with the rules each response binds to. A save rewrites the blocks in
// the config atomically, keeps a revision and reloads; nothing changes when anything is wrong.
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { XmlElement } from '@portcullis/engine';
import { RulesetError, bindActiveResponses, parseXml } from '@portcullis/engine';
import type { ActiveResponseInfo, CommandInfo, ResponseConfig, ResponseIssue, ResponseValidation } from '@portcullis/shared';
import { writeFileAtomic } from '../../config/atomic-write.js';
import { displayPath } from '../../config/ruleset-files.js';
import type { ActiveResponseConfig, CommandConfig } from '../../config/ossec-config.js';
import { parseActiveResponse, parseCommand, parseOssecConfig } from '../../config/ossec-config.js';
import type { Db } from '../../db/database.js';
import { ConflictError, DomainError, ForbiddenError } from '../../errors.js';
import type { RulesetManager } from '../../pipeline/ruleset-manager.js';
import type { Actor } from '../accounts/accounts.service.js';
import { arBindingsOf } from '../active-response/policy.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { RevisionsRepository, sha256 } from '../ruleset/revisions.repository.js';
import { findBlocks, replaceBlocks } from './response-blocks.js';

/** A save refused by validation: answered 422 with the whole validation. */
export class ResponsesInvalidError extends DomainError {
  constructor(readonly validation: ResponseValidation) {
    super('RESPONSES_INVALID', validation.issues.map((i) => i.message).join(' '), 422);
  }
}

export interface ResponsesDeps {
  db: Db;
  ruleset: RulesetManager;
  audit: AuditRepository;
  arDir: string;
  /** The script an <executable> runs (as written, else with .sh), or throws (ScriptRunner.resolve). */
  resolveScript: (executable: string) => string;
}

const issue = (code: ResponseIssue['code'], message: string, at: { line: number; column: number } | null): ResponseIssue => ({ code, message, line: at?.line ?? null, column: at?.column ?? null });

function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export class ResponsesService {
  readonly #revisions: RevisionsRepository;

  constructor(private readonly d: ResponsesDeps) {
    this.#revisions = new RevisionsRepository(d.db);
  }

  #script(executable: string): string | null {
    try {
      return basename(this.d.resolveScript(executable));
    } catch {
      return null;
    }
  }

  scripts(): string[] {
    try {
      return readdirSync(this.d.arDir).filter((n) => !n.startsWith('.') && statSync(join(this.d.arDir, n)).isFile()).sort();
    } catch {
      return [];
    }
  }

  #commandInfo(c: CommandConfig): CommandInfo {
    return { name: c.name, executable: c.executable, expect: c.expect, timeout_allowed: c.timeoutAllowed, protocol: c.protocol === 'json' ? 'json' : 'argv', script: this.#script(c.executable) };
  }

  #arInfo(commands: CommandConfig[], ars: ActiveResponseConfig[]): ActiveResponseInfo[] {
    const ctx = this.d.ruleset.context;
    const rules = this.d.ruleset.engine.ruleset.tree.all;
    const bound = bindActiveResponses(rules, arBindingsOf({ ...ctx.cfg, commands, activeResponses: ars }), ctx.dialect);
    const byIndex = new Map<number, ActiveResponseInfo['bound_rules']>();
    for (const rule of rules) for (const b of bound.get(rule.id) ?? []) {
      const list = byIndex.get(b.index) ?? [];
      list.push({ id: rule.id, level: rule.level, description: rule.description });
      byIndex.set(b.index, list);
    }
    return ars.map((a, index) => ({
      index, command: a.command, location: a.location, level: a.level, rules_group: a.rulesGroup, rules_id: a.rulesId,
      timeout: a.timeout > 0 ? a.timeout : null, repeated_offenders: a.repeatedOffenders, disabled: a.disabled, bound_rules: byIndex.get(index) ?? [],
    }));
  }

  get(): ResponseConfig {
    const { configPath, cfg } = this.d.ruleset.context;
    const text = readFileSync(configPath, 'utf8');
    return {
      xml: findBlocks(text, configPath).xml,
      hash: sha256(text),
      commands: cfg.commands.map((c) => this.#commandInfo(c)),
      active_responses: this.#arInfo(cfg.commands, cfg.activeResponses),
      scripts: this.scripts(),
    };
  }

  /** Validates the XML alone, then the config with it in place. `config` is set when valid. */
  validate(xml: string): ResponseValidation & { config?: string } {
    const empty = { commands: [], active_responses: [] };
    let els: XmlElement[];
    try {
      els = parseXml(xml, 'responses');
    } catch (err) {
      const e = err as RulesetError;
      return { ok: false, issues: [issue('XML', e.message, e instanceof RulesetError ? e : null)], ...empty };
    }
    const issues: ResponseIssue[] = [];
    const commands: Array<{ c: CommandConfig; el: XmlElement }> = [];
    const ars: Array<{ a: ActiveResponseConfig; el: XmlElement }> = [];
    for (const el of els) {
      try {
        if (el.name === 'command') commands.push({ c: parseCommand(el), el });
        else if (el.name === 'active-response') ars.push({ a: parseActiveResponse(el), el });
        else issues.push(issue('INVALID', `<${el.name}> does not belong here: only <command> and <active-response> blocks`, el));
      } catch (err) {
        if (!(err instanceof RulesetError)) throw err;
        issues.push(issue('INVALID', err.message, err));
      }
    }
    const names = new Map<string, CommandConfig>();
    for (const { c, el } of commands) {
      if (names.has(c.name)) issues.push(issue('INVALID', `command "${c.name}" is defined twice`, el));
      names.set(c.name, c);
      if (this.#script(c.executable) === null)
        issues.push(issue('SCRIPT_MISSING', `command "${c.name}": no executable "${c.executable}" or "${c.executable}.sh" in the active-response directory ${this.d.arDir}`, child(el, 'executable') ?? el));
    }
    for (const { a, el } of ars) {
      if (a.disabled) continue;
      const cmd = names.get(a.command);
      if (!cmd) issues.push(issue('UNKNOWN_COMMAND', `<active-response> names command "${a.command}", which no <command> defines`, child(el, 'command') ?? el));
      else if (a.timeout > 0 && !cmd.timeoutAllowed)
        issues.push(issue('TIMEOUT_NOT_ALLOWED', `<active-response> for "${a.command}" sets a <timeout>, but the command does not have <timeout_allowed>yes</timeout_allowed>`, child(el, 'timeout') ?? el));
      if (/defined-agent/i.test(a.location) && !a.agentId) issues.push(issue('INVALID', '<active-response> with location defined-agent needs an <agent_id>', el));
    }
    const cmdList = commands.map((x) => x.c);
    const arList = ars.map((x) => x.a);
    const result = { commands: cmdList.map((c) => this.#commandInfo(c)), active_responses: issues.length ? [] : this.#arInfo(cmdList, arList) };
    if (issues.length > 0) return { ok: false, issues, ...result };
    // The whole config with these blocks in place must still parse.
    const { configPath } = this.d.ruleset.context;
    const text = readFileSync(configPath, 'utf8');
    const next = replaceBlocks(text, findBlocks(text, configPath), xml);
    try {
      parseOssecConfig(next.text, configPath);
    } catch (err) {
      if (!(err instanceof RulesetError)) throw err;
      const line = err.line - next.firstLine + 1;
      return { ok: false, issues: [issue('INVALID', err.message, line >= 1 ? { line, column: err.column } : null)], ...result };
    }
    return { ok: true, issues: [], ...result, config: next.text };
  }

  save(body: { xml: string; base_hash: string; message: string }, actor: Actor): ResponseConfig {
    const { configPath, home } = this.d.ruleset.context;
    try {
      accessSync(configPath, constants.W_OK);
      accessSync(dirname(configPath), constants.W_OK);
    } catch {
      throw new ForbiddenError(`the config ${configPath} is read-only for the server`, 'READ_ONLY');
    }
    const previous = readFileSync(configPath, 'utf8');
    if (sha256(previous) !== body.base_hash) throw new ConflictError('the config changed since it was opened; reload and apply the change again', 'STALE_CONFIG');
    const v = this.validate(body.xml);
    if (!v.ok || v.config === undefined) throw new ResponsesInvalidError(v);
    const next = v.config;
    const path = displayPath(home, configPath);
    this.d.db.transaction(() => {
      const rev = this.#revisions.record({ path, kind: 'config', previous, content: next, author: actor.name, message: body.message });
      this.d.audit.record({
        actor: actor.name, sourceIp: actor.ip, action: 'responses.save', target: path,
        before: { hash: sha256(previous), xml: findBlocks(previous, configPath).xml }, after: { hash: rev.hash, xml: body.xml, revision: rev.id, message: body.message },
      });
      writeFileAtomic(configPath, next);
      const res = this.d.ruleset.reload(`commands and responses saved by ${actor.name ?? 'unknown'}`);
      if (!res.ok) {
        writeFileAtomic(configPath, previous);
        this.d.ruleset.reload('config restored after a failed save');
        const issues = res.status.errors.map((e) => issue('INVALID', `${displayPath(home, e.file)}:${e.line}:${e.column}: ${e.message}`, null));
        throw new ResponsesInvalidError({ ok: false, issues, commands: v.commands, active_responses: v.active_responses });
      }
    })();
    return this.get();
  }
}
