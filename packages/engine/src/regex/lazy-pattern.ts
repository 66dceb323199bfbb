// A pattern compiled on first use: what a restored ruleset snapshot holds (ruleset-snapshot.ts),
// so a start-up translates and compiles only the patterns its lines reach (of the OSSEC home's
// 1,487, a replay of sshd logs runs a few dozen). Only for patterns known to compile: a snapshot
// is taken of a ruleset whose every pattern compiled, on this engine and Node (the cache key says
// so), and one with patterns on the linear-time engine is restored only where the same RE2 is
// found (ruleset-snapshot.ts).
import type { MatchResult, Pattern } from './pattern.js';

export class LazyPattern implements Pattern {
  private real: Pattern | null = null;

  constructor(
    readonly source: string,
    readonly kind: Pattern['kind'],
    /** What the compiled pattern's requiredChars() gives (asked for when the engine is built). */
    private readonly required: readonly (readonly number[])[] | null,
    private readonly compile: () => Pattern,
    /** Whether the compiled pattern runs on RE2 (see onLinearEngine), for a snapshot taken again. */
    readonly linear = false,
  ) {}

  private get pattern(): Pattern {
    return (this.real ??= this.compile());
  }

  test(subject: string): boolean {
    return this.pattern.test(subject);
  }

  exec(subject: string): MatchResult | null {
    return this.pattern.exec(subject);
  }

  execEnd(subject: string): number {
    return this.pattern.execEnd(subject);
  }

  execInto(subject: string, out: string[]): number {
    return this.pattern.execInto(subject, out);
  }

  firstChars(): Set<string> | null {
    return this.pattern.firstChars();
  }

  requiredChars(): Uint32Array[] | null {
    return this.required === null ? null : this.required.map((a) => Uint32Array.from(a));
  }
}
