/**
 * Touches no database: the framework's own cost of the capture route's shape (a POST with a JSON body
 * on a path with a dynamic segment), for the API benchmark's ceiling of authorize+capture pairs.
 * Next rebuilds a dynamic route's matcher on every request, so this costs more than POST /api/health.
 */
export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  const { id } = await context.params;
  const body = await request.json().catch(() => null);
  return Response.json({ ok: true, id, echo: body === null ? null : typeof body });
}
