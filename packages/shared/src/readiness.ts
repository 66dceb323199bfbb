// Whether what the config asks for can actually happen: each <command>'s script, the firewall it
// would use, each watched log file. Computed by the server's readiness module; shown by the start
// banner, `portcullis check-config`, GET /api/health (signed in) and the dashboard's overview.
import { Type, type Static } from '@sinclair/typebox';

const union = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ReadinessProblem = Type.Object({
  /** error: something the config asks for will not happen (or is unsafe); warning: worth knowing. */
  severity: union(['error', 'warning'] as const),
  area: union(['active_response', 'log_file', 'config'] as const),
  /**
   * What kind of problem: AR_DIR_MISSING, SCRIPT_MISSING, SCRIPT_OUTSIDE_DIR, SCRIPT_NOT_FILE,
   * SCRIPT_NOT_EXECUTABLE, SCRIPT_UNSAFE (others could change what root runs), PREFLIGHT_FAILED
   * (e.g. no firewall tool), AR_UNKNOWN_COMMAND, AR_AGENTS_ONLY, AR_NO_RULE, COMMAND_UNUSED,
   * LOG_MISSING, LOG_UNREADABLE, LOG_UNSUPPORTED.
   */
  code: Type.String(),
  /** The file, directory or command it is about. */
  subject: Type.String(),
  message: Type.String(),
  /** What to do about it. */
  fix: Type.String(),
});
export type ReadinessProblem = Static<typeof ReadinessProblem>;

export const CommandReadiness = Type.Object({
  name: Type.String(),
  executable: Type.String(),
  /** The script it runs, resolved in the active-response directory; null when it cannot be. */
  path: Type.Union([Type.String(), Type.Null()]),
  /** Bound by at least one enabled <active-response>. */
  used: Type.Boolean(),
  ok: Type.Boolean(),
  /** What the script's preflight said it would use (e.g. the firewall backend); null when not asked. */
  backend: Type.Union([Type.String(), Type.Null()]),
  problem: Type.Union([Type.String(), Type.Null()]),
});
export type CommandReadiness = Static<typeof CommandReadiness>;

export const LogFileReadiness = Type.Object({
  /** The <location> as written. */
  location: Type.String(),
  /** Resolved against the config's home. */
  path: Type.String(),
  state: union(['readable', 'missing', 'unreadable', 'unsupported'] as const),
  problem: Type.Union([Type.String(), Type.Null()]),
});
export type LogFileReadiness = Static<typeof LogFileReadiness>;

export const Readiness = Type.Object({
  checked_at: Type.String(),
  /** ready: every bound active response can run; not_ready: at least one cannot (or is unsafe); none: nothing configured. */
  active_response: union(['ready', 'not_ready', 'none'] as const),
  active_response_dir: Type.Object({
    path: Type.String(),
    /** config / env: <active_response_dir> or PORTCULLIS_ACTIVE_RESPONSE_DIR; home: the config's own active-response/; shipped: Portcullis's scripts. */
    from: union(['config', 'env', 'home', 'shipped'] as const),
    exists: Type.Boolean(),
  }),
  /** The user the server (and so its scripts) runs as. */
  user: Type.String(),
  commands: Type.Array(CommandReadiness),
  log_files: Type.Array(LogFileReadiness),
  /** Errors first. */
  problems: Type.Array(ReadinessProblem),
  errors: Type.Integer(),
  warnings: Type.Integer(),
});
export type Readiness = Static<typeof Readiness>;
