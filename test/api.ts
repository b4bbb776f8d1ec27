import { NextRequest } from "next/server";

type Handler<P> = (request: NextRequest, context: { params: Promise<P> }) => Promise<Response>;

/**
 * Calls a route handler in-process the way Next does: a real Request in, a real Response out.
 * Tests see exactly what a caller over HTTP would (status, headers, JSON), without a server.
 */
export async function callRoute<P = Record<string, never>>(
  handler: Handler<P>,
  options: { method?: string; path?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; params?: P; query?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: () => Promise<Record<string, unknown>>; body: Record<string, unknown> }> {
  const url = new URL(`http://localhost${options.path ?? "/api/v1/test"}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const request = new NextRequest(url, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", ...(options.headers ?? {}) },
    body,
  });
  const response = await handler(request, { params: Promise.resolve((options.params ?? {}) as P) });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  return { status: response.status, headers: response.headers, json: async () => parsed, body: parsed };
}
