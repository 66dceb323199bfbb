// Which journal entries may speak for a program. SYSLOG_IDENTIFIER is whatever the client wrote
// (`logger -t sshd` sets it to sshd, as any local user may), while fields starting with `_` are
// written by journald itself from what the kernel says about the sender (its credentials and
// /proc) and cannot be set by the client. So an entry that names a guarded program (sshd by
// default) is read only when its trusted fields agree: the process (`_COMM`, or the file name of
// `_EXE`) or its unit (`_SYSTEMD_UNIT`) is that program's, and it runs as a trusted `_UID` (root).

type Fields = Record<string, unknown>;

export interface JournalTrustOptions {
  /**
   * Identifiers whose entries must come from a trusted process. A claimed identifier that starts
   * with one of them is guarded too: OSSEC's sshd decoder matches the program name `^sshd`, so
   * `sshd-x` would be read as sshd.
   */
  identifiers: readonly string[];
  /** The `_UID`s a trusted process runs as, or 'any' for no check. Default root only. */
  uids?: readonly number[] | 'any';
}

/** Process names and units known to be a program's, beyond its own name. */
const KNOWN: Record<string, { names: readonly string[]; units: RegExp }> = {
  // OpenSSH 9.8+ logs from sshd-session (and 10.0+ from sshd-auth), systemd units ssh or sshd,
  // per-connection units ssh@… / sshd@… under socket activation.
  sshd: { names: ['sshd', 'sshd-session', 'sshd-auth'], units: /^sshd?(@[^/]+)?\.service$/ },
};

/** The Linux comm is the first 15 bytes of the process name. */
const COMM_LENGTH = 15;

/** The identifier as a predecoder reads the program name: up to a `[`, `:` or space. */
export function programOf(identifier: string): string {
  const m = /^[^[:\s]*/.exec(identifier);
  return m ? m[0] : identifier;
}

function field(entry: Fields, name: string): string | undefined {
  const v = entry[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return undefined;
}

export class JournalTrust {
  readonly #guarded: readonly string[];
  readonly #uids: ReadonlySet<number> | 'any';

  constructor(options: JournalTrustOptions) {
    this.#guarded = options.identifiers.filter(Boolean);
    this.#uids = options.uids === 'any' ? 'any' : new Set(options.uids ?? [0]);
  }

  /**
   * Null when the entry may be read as it is (it names no guarded program, or its trusted fields
   * agree); else a description of the forgery for the drop counter, e.g.
   * `sshd from _COMM=logger _UID=1000`. `ident` is the identifier the line will carry.
   */
  check(entry: Fields, ident: string): string | null {
    const program = programOf(ident);
    const guard = this.#guarded.find((g) => program.startsWith(g));
    if (guard === undefined) return null;
    const comm = field(entry, '_COMM');
    const exe = field(entry, '_EXE');
    const exeName = exe?.slice(exe.lastIndexOf('/') + 1);
    const unit = field(entry, '_SYSTEMD_UNIT');
    const uid = field(entry, '_UID');
    const known = KNOWN[guard];
    const names = new Set([program, ...(known?.names ?? [guard])]);
    const nameOk = (comm !== undefined && [...names].some((n) => n.slice(0, COMM_LENGTH) === comm)) || (exeName !== undefined && names.has(exeName));
    const unitOk = unit !== undefined && (known ? known.units.test(unit) : unit === `${program}.service`);
    const uidOk = this.#uids === 'any' || (uid !== undefined && /^\d+$/.test(uid) && this.#uids.has(Number(uid)));
    if ((nameOk || unitOk) && uidOk) return null;
    const seen = [`_COMM=${comm ?? '-'}`, ...(exe ? [`_EXE=${exe}`] : []), ...(unit ? [`_SYSTEMD_UNIT=${unit}`] : []), `_UID=${uid ?? '-'}`];
    return `${program} from ${seen.join(' ')}`;
  }
}
