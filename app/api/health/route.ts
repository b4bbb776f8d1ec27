// Touch no database: the framework's own ceiling for the API benchmark, and a liveness probe.
export function GET() {
  return Response.json({ ok: true });
}

/** The same for a POST with a JSON body (what every metering write pays before any ledger work). */
export async function POST(request: Request) {
  const body = await request.json().catch(() => null);
  return Response.json({ ok: true, echo: body === null ? null : typeof body });
}
