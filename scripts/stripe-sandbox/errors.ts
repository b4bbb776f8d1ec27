/**
 * Errors in Stripe's wire shape (`{error: {type, code, message, param}}`). Handlers throw them; the router
 * turns them into the HTTP status the SDK maps to its error classes (402 → StripeCardError, 404 →
 * StripeInvalidRequestError with code resource_missing, ...).
 */
export type StripeErrorType =
  | "api_error"
  | "card_error"
  | "idempotency_error"
  | "invalid_request_error"
  | "rate_limit_error";

export class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "StripeHttpError";
  }

  toJSON() {
    const body: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code) body.code = this.code;
    if (this.param) body.param = this.param;
    if (this.code) body.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, "-")}`;
    return { error: { ...body, ...this.extra } };
  }
}

export function invalidRequest(message: string, param?: string, code?: string): StripeHttpError {
  return new StripeHttpError(400, "invalid_request_error", message, code, param);
}

export function missingParam(param: string): StripeHttpError {
  return invalidRequest(`Missing required param: ${param}.`, param, "parameter_missing");
}

export function resourceMissing(what: string, id: string, param = "id"): StripeHttpError {
  return new StripeHttpError(404, "invalid_request_error", `No such ${what}: '${id}'`, "resource_missing", param);
}

export function unauthorized(message: string): StripeHttpError {
  return new StripeHttpError(401, "invalid_request_error", message);
}
