import { v1Route } from "@/lib/api/v1/handler";
import { listBots } from "@/lib/bots/bots";

export const GET = v1Route({ write: false }, async ({ principal, db }) => {
  const bots = await listBots(db, principal.organizationId);
  return { status: 200, body: { data: bots.map((b) => ({ id: b.id, name: b.name, type: b.type })) } };
});
