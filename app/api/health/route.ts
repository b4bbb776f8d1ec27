// Touches no database: the framework's own ceiling for the API benchmark, and a liveness probe.
export function GET() {
  return Response.json({ ok: true });
}
