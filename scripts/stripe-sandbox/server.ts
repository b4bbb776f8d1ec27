import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setDeliveryMode, handleControl } from "./control";
import { API_VERSION, Ctx, type SandboxOptions } from "./context";
import { StripeHttpError, unauthorized } from "./errors";
import { parseForm, type FormObject } from "./form";
import { requestId } from "./ids";
import { handlePage } from "./pages";
import { matchRoute } from "./routes";
import { emptyState, loadState, saveState, type SandboxState, type StripeObject } from "./state";
import { advanceGlobalClock } from "./test-clocks";
import { WebhookDispatcher, type DeliveryAttempt, type DeliveryMode } from "./webhooks";

export interface StripeSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  webhookUrl?: string;
  webhookSecret: string;
  /** Base URL the hosted pages are linked from (session.url, hosted_invoice_url); defaults to the listen address. */
  publicUrl?: string;
  /** JSON file the state is saved to and restored from, so a dev restart keeps customers and subscriptions. */
  stateFile?: string;
  maxDeliveryAttempts?: number;
  /** First retry delay; doubles per attempt (Stripe's schedule is hours; tests want milliseconds). */
  retryBaseMs?: number;
  shuffleWindowMs?: number;
  portalCancel?: SandboxOptions["portalCancel"];
  log?: boolean | ((line: string) => void);
}

export interface StripeSandbox {
  url: string;
  port: number;
  stop(): Promise<void>;
  setWebhookUrl(url: string | undefined): void;
  setDeliveryMode(mode: Partial<DeliveryMode>): DeliveryMode;
  /** Moves the sandbox clock forward and runs renewals / session expiry that came due. Returns the new time. */
  advanceClock(seconds: number): number;
  now(): number;
  reset(): void;
  /** Resolves when every queued webhook has been delivered or has given up retrying. */
  idle(): Promise<void>;
  deliveries(): DeliveryAttempt[];
  events(): StripeObject[];
  readonly state: SandboxState;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new StripeHttpError(413, "invalid_request_error", "Request body too large."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): FormObject {
  if (!raw) return {};
  if (contentType?.includes("application/json")) {
    try {
      const parsed = JSON.parse(raw);
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch {
      throw new StripeHttpError(400, "invalid_request_error", "Invalid JSON body.");
    }
  }
  return parseForm(raw);
}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(" ", 2);
  if (/^bearer$/i.test(scheme)) return value?.trim();
  if (/^basic$/i.test(scheme) && value) return Buffer.from(value, "base64").toString("utf8").split(":")[0];
  return undefined;
}

function checkAuth(req: IncomingMessage): void {
  const key = apiKeyOf(req);
  if (!key) {
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (!/^(sk|rk)_test_/.test(key)) throw unauthorized(`Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`);
}

export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  if (!options.webhookSecret) throw new Error("startStripeSandbox: webhookSecret is required");
  const log = typeof options.log === "function" ? options.log : options.log ? (line: string) => console.log(`[stripe-sandbox] ${line}`) : () => {};
  const dispatcher = new WebhookDispatcher({
    secret: options.webhookSecret,
    url: options.webhookUrl,
    maxAttempts: options.maxDeliveryAttempts,
    retryBaseMs: options.retryBaseMs,
    shuffleWindowMs: options.shuffleWindowMs,
    log,
  });

  let saveTimer: NodeJS.Timeout | undefined;
  const persist = () => {
    if (!options.stateFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      try {
        saveState(options.stateFile!, ctx.state);
      } catch (error) {
        log(`could not save state: ${String(error)}`);
      }
    }, 100);
  };
  const ctx = new Ctx(loadState(options.stateFile), "", dispatcher, { portalCancel: options.portalCancel ?? "immediately" }, persist);

  const reset = () => {
    ctx.state = emptyState();
    dispatcher.clear();
    persist();
  };
  const hooks = { reset, dispatcher };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox.local");
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;
    const reqId = requestId();
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const payload = typeof body === "string" ? body : JSON.stringify(body, null, 2);
      res.writeHead(status, { "content-type": "application/json", "request-id": reqId, "stripe-version": String(req.headers["stripe-version"] ?? API_VERSION), ...headers });
      res.end(payload);
    };
    try {
      const raw = method === "GET" || method === "DELETE" || method === "HEAD" ? "" : await readBody(req);
      const query = parseForm(url.search.slice(1));
      // Set after the last await: handlers run synchronously, so events they emit carry this request's id.
      ctx.request = { id: null, idempotency_key: null };

      if (path.startsWith("/v1/")) {
        checkAuth(req);
        const params: FormObject = { ...query, ...parseBody(raw, req.headers["content-type"]) };
        const idemKey = method === "POST" ? (req.headers["idempotency-key"] as string | undefined) : undefined;
        const fingerprint = `${method} ${path} ${raw}`;
        if (idemKey) {
          const saved = ctx.state.idempotency[idemKey];
          if (saved) {
            if (saved.fingerprint !== fingerprint) {
              throw new StripeHttpError(
                400,
                "idempotency_error",
                `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
              );
            }
            send(saved.status, saved.body, { "idempotent-replayed": "true", "idempotency-key": idemKey, "original-request": "replayed" });
            return;
          }
        }
        const route = matchRoute(method, path);
        if (!route || route === "method_not_allowed") {
          throw new StripeHttpError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`);
        }
        ctx.request = { id: reqId, idempotency_key: idemKey ?? null };
        let status = 200;
        let result: unknown;
        try {
          result = route.handler(ctx, params, ...route.ids);
        } catch (error) {
          if (!(error instanceof StripeHttpError)) throw error;
          status = error.status;
          result = error.toJSON();
        }
        const body = JSON.stringify(result, null, 2);
        // Stripe saves the outcome once the endpoint ran (successes and card declines), not validation failures.
        if (idemKey && (status === 200 || status === 402)) ctx.state.idempotency[idemKey] = { fingerprint, status, body };
        send(status, body, idemKey ? { "idempotency-key": idemKey } : {});
        return;
      }

      if (path.startsWith("/_sandbox")) {
        const body = parseBody(raw, req.headers["content-type"]);
        const answer = handleControl(ctx, hooks, method, path, { ...query, ...body });
        if (!answer) throw new StripeHttpError(404, "invalid_request_error", `Unknown sandbox control endpoint (${method}: ${path}).`);
        send(answer.status, answer.wait ? await answer.wait : answer.body);
        return;
      }

      const page = handlePage(ctx, method, path, parseBody(raw, req.headers["content-type"]));
      if (page) {
        res.writeHead(page.status, page.headers);
        res.end(page.body);
        return;
      }
      send(404, { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` } });
    } catch (error) {
      if (error instanceof StripeHttpError) {
        send(error.status, error.toJSON());
        return;
      }
      log(`internal error on ${method} ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      // Tell the SDK not to retry: the request may have half-run and a retry would not be idempotent here.
      send(500, { error: { type: "api_error", message: `Sandbox internal error: ${error instanceof Error ? error.message : String(error)}` } }, { "stripe-should-retry": "false" });
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  ctx.publicUrl = (options.publicUrl ?? url).replace(/\/$/, "");
  log(`listening on ${url}${options.webhookUrl ? `, webhooks → ${options.webhookUrl}` : ""}`);

  return {
    url,
    port,
    async stop() {
      dispatcher.stop();
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = undefined;
        if (options.stateFile) saveState(options.stateFile, ctx.state);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    setWebhookUrl(next) {
      dispatcher.url = next;
    },
    setDeliveryMode(mode) {
      return setDeliveryMode(dispatcher, mode);
    },
    advanceClock(seconds) {
      ctx.request = { id: null, idempotency_key: null };
      return advanceGlobalClock(ctx, seconds);
    },
    now: () => ctx.now(),
    reset,
    idle: () => dispatcher.idle(),
    deliveries: () => [...dispatcher.attempts],
    events: () => ctx.all("event"),
    get state() {
      return ctx.state;
    },
  };
}
