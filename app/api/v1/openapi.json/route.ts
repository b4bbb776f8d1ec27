import { openApiDocument } from "@/lib/api/v1/openapi";

export function GET(request: Request) {
  return Response.json(openApiDocument(new URL(request.url).origin));
}
