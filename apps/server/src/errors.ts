// Domain errors: a stable `code` and an HTTP status. The one error handler (plugins/errors.ts)
// turns them into `{ "error": { "code", "message" } }`; anything else becomes a 500 that says nothing
// of the internals.

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class BadRequestError extends DomainError {
  constructor(message: string, code = 'BAD_REQUEST') {
    super(code, message, 400);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'sign in first') {
    super('UNAUTHENTICATED', message, 401);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'your role does not allow this', code = 'FORBIDDEN') {
    super(code, message, 403);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'not found') {
    super('NOT_FOUND', message, 404);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, code = 'CONFLICT') {
    super(code, message, 409);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(message: string, code = 'PAYLOAD_TOO_LARGE') {
    super(code, message, 413);
  }
}

export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many attempts; try again in ${retryAfterSeconds} s`, 429, { 'retry-after': String(retryAfterSeconds) });
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super('UNSUPPORTED_MEDIA_TYPE', message, 415);
  }
}
