import type { Db } from "@/db/client";
import { createApiKey } from "@/lib/metering/api-keys";
import { seedDemoOrganizations, type DemoIds } from "./index";
import { seedLedgerDemo } from "./ledger";
import { seedBillingDemo } from "./billing";
import { seedAgencyDemo } from "./agency";

export interface DemoSeed extends DemoIds {
  /** The demo owner's metering API key (plaintext exists only here, at creation). */
  apiKey: string;
}

/** Every seed step in order; each domain adds its step here. */
export async function seedDemo(database: Db): Promise<DemoSeed> {
  const ids = await seedDemoOrganizations(database);
  await seedLedgerDemo(database, {
    ownerOrgId: ids.zetaStudioId,
    bots: [
      { id: ids.helpdeskBotId, type: "language_model" },
      { id: ids.codePilotBotId, type: "coding" },
    ],
  });
  await seedBillingDemo(database, { ownerOrgId: ids.zetaStudioId, helpdeskBotId: ids.helpdeskBotId });
  await seedAgencyDemo(database, { northwindId: ids.northwindId, subAccountIds: ids.subAccountIds, agencyUserId: ids.userIds.agency });
  const key = await createApiKey(database, { organizationId: ids.zetaStudioId, name: "Demo runtime", createdByUserId: ids.userIds.owner });
  return { ...ids, apiKey: key.plaintext };
}
