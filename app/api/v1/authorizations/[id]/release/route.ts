import { v1Route } from "@/lib/api/v1/handler";
import { Credits } from "@/lib/ledger/credits";
import { releaseAuthorization } from "@/lib/metering/holds";

export const POST = v1Route<{ id: string }>({ write: true }, async ({ principal, params, db }) => {
  const outcome = await releaseAuthorization(db, principal.organizationId, params.id);
  return { status: 200, body: { id: params.id, status: "released", released: Credits.format(outcome.released) } };
});
