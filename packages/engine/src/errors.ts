// Load errors always say what and where: a stable code, the file, line and column.

export type RulesetErrorCode =
  | 'XML_SYNTAX'
  | 'UNKNOWN_ELEMENT'
  | 'BAD_VALUE'
  | 'MISSING_ELEMENT'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_PARENT'
  | 'UNKNOWN_DECODER'
  | 'UNKNOWN_VARIABLE'
  | 'BAD_REGEX'
  | 'UNSUPPORTED_REGEX'
  | 'CONFIG';

export class RulesetError extends Error {
  constructor(
    readonly code: RulesetErrorCode,
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'RulesetError';
  }

  /** `file:line:column: message`, the form editors and terminals link to. */
  override toString(): string {
    return `${this.file}:${this.line}:${this.column}: ${this.message}`;
  }

  toJSON(): { code: string; message: string; file: string; line: number; column: number } {
    return { code: this.code, message: this.message, file: this.file, line: this.line, column: this.column };
  }
}

/** Thrown when a ruleset does not compile; carries every error found, never a half-loaded set. */
export class RulesetLoadError extends Error {
  constructor(readonly errors: RulesetError[]) {
    super(
      `ruleset has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n` +
        errors.map((e) => `  ${e.toString()}`).join('\n'),
    );
    this.name = 'RulesetLoadError';
  }
}

/** Collects errors during a load so one pass reports all of them. */
export class ErrorSink {
  readonly errors: RulesetError[] = [];
  readonly warnings: RulesetError[] = [];

  add(err: RulesetError): void {
    this.errors.push(err);
  }

  warn(err: RulesetError): void {
    this.warnings.push(err);
  }

  /** Runs fn, recording a thrown RulesetError instead of propagating it. */
  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof RulesetError) {
        this.add(e);
        return undefined;
      }
      if (e instanceof RulesetLoadError) {
        for (const x of e.errors) this.add(x);
        return undefined;
      }
      throw e;
    }
  }
}
