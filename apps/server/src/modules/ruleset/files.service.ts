// Whole-file edits of the running ruleset's rule and decoder files (design decision 4): only files
// the running config loads; a draft is compiled with every other file as it is on disk, and a save
// is written (atomically) and applied only when the whole ruleset compiles with it. Each save is a
// revision, and any revision can be rolled back to the same way. The compile of a draft runs in a
// worker thread (workers/), never on the event loop: a huge or hostile file cannot stall the API.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RulesetInput, SourceFile } from '@portcullis/engine';
import type { RulesetError, RulesetFile, RulesetFileContent, RulesetFileKind, RulesetFileSaved, RulesetRevision, RulesetRevisionContent, RulesetValidation } from '@portcullis/shared';
import type { Db } from '../../db/database.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, PayloadTooLargeError } from '../../errors.js';
import { writeFileAtomic } from '../../config/atomic-write.js';
import { displayPath } from '../../config/ruleset-files.js';
import { errorsOf, type RulesetManager } from '../../pipeline/ruleset-manager.js';
import { bytes } from '../../workers/http.js';
import type { RulesetSource, ValidateAnswer } from '../../workers/ruleset-jobs.js';
import type { WorkerPool } from '../../workers/worker-pool.js';
import type { Actor } from '../accounts/accounts.service.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { RevisionsRepository, sha256, toRevision } from './revisions.repository.js';

/** A save the compiler refused: answered 422 with every error, nothing changed. */
export class RulesetInvalidError extends DomainError {
  constructor(readonly validation: RulesetValidation) {
    super('RULE_SYNTAX', `the ruleset does not compile with this file: ${validation.errors.length} error(s)`, 422);
  }
}

/** The largest rule or decoder file a draft, a validation or a save may bring. */
export const RULE_FILE_MAX_BYTES = 1024 * 1024;

/** 413 for a draft over RULE_FILE_MAX_BYTES, naming the field, the file and its size. */
export function checkFileSize(field: string, path: string, content: string): void {
  const size = Buffer.byteLength(content);
  if (size > RULE_FILE_MAX_BYTES)
    throw new PayloadTooLargeError(`${field}: ${path} is ${size} bytes; a rule or decoder file may have at most ${bytes(RULE_FILE_MAX_BYTES)} (${RULE_FILE_MAX_BYTES} bytes)`, 'RULE_FILE_TOO_LARGE');
}

interface FileRef {
  path: string;
  abs: string;
  kind: RulesetFileKind;
}

function writable(abs: string): boolean {
  try {
    accessSync(abs, constants.W_OK);
    accessSync(dirname(abs), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export class RulesetFilesService {
  readonly revisions: RevisionsRepository;

  constructor(
    private readonly db: Db,
    private readonly ruleset: RulesetManager,
    private readonly audit: AuditRepository,
    /** Where drafts are compiled (workers.plugin.ts's validation pool). */
    private readonly validation: WorkerPool,
  ) {
    this.revisions = new RevisionsRepository(db);
  }

  get #home(): string {
    return this.ruleset.context.home;
  }

  /** The ruleset files as on disk now; the running engine's when they cannot be listed. */
  #input(): RulesetInput {
    try {
      return this.ruleset.readFiles();
    } catch {
      return this.ruleset.context.files;
    }
  }

  #refs(input = this.#input()): FileRef[] {
    const ref = (kind: RulesetFileKind) => (f: SourceFile): FileRef => ({ path: displayPath(this.#home, f.path), abs: f.path, kind });
    return [...input.decoders.map(ref('decoders')), ...input.rules.map(ref('rules'))];
  }

  /** A file of the running ruleset by the path the API shows (or its absolute path); 404 otherwise. */
  #find(path: string): FileRef {
    const f = this.#refs().find((r) => r.path === path || r.abs === path);
    if (!f) throw new NotFoundError(`${path} is not a rule or decoder file of the running ruleset`);
    return f;
  }

  list(): RulesetFile[] {
    const counts = this.revisions.counts();
    return this.#refs().map((f) => {
      const st = statSync(f.abs, { throwIfNoEntry: false });
      return {
        path: f.path,
        kind: f.kind,
        size: st?.size ?? 0,
        modified_at: new Date(st?.mtimeMs ?? 0).toISOString(),
        editable: writable(f.abs),
        revisions: counts.get(f.path) ?? 0,
      };
    });
  }

  read(path: string): RulesetFileContent {
    const f = this.#find(path);
    const content = readFileSync(f.abs, 'utf8');
    return { path: f.path, kind: f.kind, content, hash: sha256(content), modified_at: statSync(f.abs).mtime.toISOString(), editable: writable(f.abs) };
  }

  /** The files on disk with `path` replaced by `content` (for a draft test or a validation). */
  draftInput(path: string, content: string): RulesetInput {
    const input = this.#input();
    const f = this.#find(path);
    const swap = (list: SourceFile[]) => list.map((s) => (s.path === f.abs ? { path: s.path, text: content } : s));
    return { ...input, decoders: swap(input.decoders), rules: swap(input.rules) };
  }

  /** Errors with the paths the API shows. */
  shown(errors: RulesetError[]): RulesetError[] {
    return errors.map((e) => ({ ...e, file: e.file ? displayPath(this.#home, e.file) : e.file }));
  }

  /** What a worker needs to compile `files` as `RulesetManager.compile` would. */
  source(files: RulesetInput): RulesetSource {
    return { files, dialect: this.ruleset.context.dialect, overrides: this.ruleset.overrides() };
  }

  /** Compiles the ruleset with the draft in place, in a worker; `signal` aborts it (client gone). */
  async validate(path: string, content: string, signal?: AbortSignal): Promise<RulesetValidation> {
    checkFileSize('content', path, content);
    return this.#compile(path, content, signal);
  }

  async #compile(path: string, content: string, signal?: AbortSignal): Promise<RulesetValidation> {
    let input: RulesetInput;
    try {
      input = this.draftInput(path, content);
    } catch (err) {
      return { ok: false, errors: this.shown(errorsOf(err)), rules: 0, decoders: 0 };
    }
    const v = await this.validation.run<ValidateAnswer>({ kind: 'validate', ruleset: this.source(input) }, signal);
    return v.ok ? { ok: true, errors: [], rules: v.rules, decoders: v.decoders } : { ok: false, errors: this.shown(v.errors), rules: 0, decoders: 0 };
  }

  async save(body: { path: string; content: string; base_hash: string; message: string }, actor: Actor, signal?: AbortSignal): Promise<RulesetFileSaved> {
    checkFileSize('content', body.path, body.content);
    const f = this.#find(body.path);
    if (!writable(f.abs)) throw new ForbiddenError(`${f.path} is read-only for the server`, 'READ_ONLY');
    if (sha256(readFileSync(f.abs, 'utf8')) !== body.base_hash) throw this.#stale(f);
    return this.#apply(f, body.base_hash, body.content, body.message, actor, 'ruleset.file_save', signal);
  }

  async rollback(id: number, message: string, actor: Actor, signal?: AbortSignal): Promise<RulesetFileSaved> {
    const rev = this.revisions.get(id);
    if (!rev || rev.kind === 'config') throw new NotFoundError(`no rule or decoder file revision ${id}`);
    const f = this.#find(rev.path);
    if (!writable(f.abs)) throw new ForbiddenError(`${f.path} is read-only for the server`, 'READ_ONLY');
    return this.#apply(f, sha256(readFileSync(f.abs, 'utf8')), rev.content, message, actor, 'ruleset.file_rollback', signal, id);
  }

  #stale(f: FileRef): ConflictError {
    return new ConflictError(`${f.path} changed since it was opened; reload it and apply the change again`, 'STALE_FILE');
  }

  /**
   * Validates (in a worker), then, if the file is still the one validated against (`baseHash`),
   * in one transaction: the revision, the audit entry, the file written, the engine switched. A
   * reload that still fails (another file changed meanwhile) puts the old content back and rolls
   * the rows back: never half-applied.
   */
  async #apply(f: FileRef, baseHash: string, content: string, message: string, actor: Actor, action: string, signal?: AbortSignal, from?: number): Promise<RulesetFileSaved> {
    const v = await this.#compile(f.path, content, signal);
    if (!v.ok) throw new RulesetInvalidError(v);
    // The validation took a while off the loop: another save may have landed meanwhile.
    const previous = readFileSync(f.abs, 'utf8');
    if (sha256(previous) !== baseHash) throw this.#stale(f);
    const row = this.db.transaction(() => {
      const r = this.revisions.record({ path: f.path, kind: f.kind, previous, content, author: actor.name, message });
      this.audit.record({
        actor: actor.name, sourceIp: actor.ip, action, target: f.path,
        before: { hash: sha256(previous), size: Buffer.byteLength(previous) },
        after: { hash: r.hash, size: Buffer.byteLength(content), revision: r.id, message, ...(from !== undefined ? { rolled_back_to: from } : {}) },
      });
      writeFileAtomic(f.abs, content);
      const res = this.ruleset.reload(`${f.path} saved by ${actor.name ?? 'unknown'}`);
      if (!res.ok) {
        writeFileAtomic(f.abs, previous);
        this.ruleset.reload(`${f.path} restored after a failed save`);
        throw new RulesetInvalidError({ ok: false, errors: res.status.errors.map((e) => ({ ...e, file: displayPath(this.#home, e.file) })), rules: 0, decoders: 0 });
      }
      return r;
    })();
    const revision = toRevision({ ...row, size: Buffer.byteLength(content) }, true);
    return { revision, status: this.ruleset.status() };
  }

  listRevisions(path: string): RulesetRevision[] {
    const rows = this.revisions.list(path);
    let hash: string | null = null;
    try {
      const { configPath } = this.ruleset.context;
      const abs = path === displayPath(this.#home, configPath) ? configPath : this.#find(path).abs;
      hash = sha256(readFileSync(abs, 'utf8'));
    } catch {
      // no longer a file of the ruleset: no revision is current
    }
    const current = rows.find((r) => r.hash === hash)?.id;
    return rows.map((r) => toRevision(r, r.id === current));
  }

  revision(id: number): RulesetRevisionContent {
    const r = this.revisions.get(id);
    if (!r) throw new NotFoundError(`no revision ${id}`);
    const current = this.listRevisions(r.path).find((x) => x.id === id)?.current ?? false;
    return { ...toRevision({ ...r, size: Buffer.byteLength(r.content) }, current), content: r.content };
  }
}
