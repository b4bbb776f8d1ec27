/**
 * Domain errors: thrown by lib/<domain> code, mapped to HTTP in one place (lib/api/problem.ts).
 * `code` is stable and part of the public API contract; `status` is the HTTP status it maps to.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, details: Record<string, unknown> = {}) {
    super("not_found", 404, `${what} not found`, details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "You do not have permission to do this") {
    super("forbidden", 403, message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = "Authentication required") {
    super("unauthorized", 401, message);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, 409, message, details);
  }
}

/** Bad input that passed the schema but breaks a rule (e.g. zero amount); `field` names the culprit. */
export class InvalidInputError extends DomainError {
  constructor(field: string, message: string) {
    super("validation_error", 400, message, { errors: [{ field, message }] });
  }
}
