import type { Db } from "@/db/client";
import { seedDemoOrganizations, type DemoIds } from "./index";

/** Every seed step in order; each domain adds its step here. */
export async function seedDemo(database: Db): Promise<DemoIds> {
  const ids = await seedDemoOrganizations(database);
  return ids;
}
