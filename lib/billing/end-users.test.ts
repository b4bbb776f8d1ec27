import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { organizations } from "@/db/schema";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { Credits } from "@/lib/ledger/credits";
import { getBalance } from "@/lib/ledger/get-balance";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { givePromoCredits, listEndUsers } from "./end-users";
import { createEndUserPack, createEndUserPlan, listBotPacks, pricePerCredit, setPackStatus } from "./offers";
import { seedBillingWorld } from "./test-helpers";

const t = useTestDb();
const DAY = 86_400_000;

describe("end users of a bot and promotional credits", () => {
  it("a promo is a free batch with an expiry in the end user's credits; the owner pool is untouched; a double submit grants once", async () => {
    const w = await seedBillingWorld(t.db, "Promo Org");
    const owner = await getOrCreateOrgAccount(t.db, w.orgId);
    await grantBatch(t.db, { accountId: owner.id, type: "paid", source: "top_up", amount: Credits.of(1000) });
    const expiresAt = new Date(Date.now() + 30 * DAY);
    const input = { organizationId: w.orgId, botId: w.botId, endUserId: w.endUserId, amount: Credits.of(25), expiresAt, note: "Giveaway", requestId: "11111111-1111-4111-8111-111111111111" };
    const first = await givePromoCredits(t.db, input);
    const again = await givePromoCredits(t.db, input);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(first.batch).toMatchObject({ type: "free", source: "promo", amount: Credits.of(25), expiresAt });
    expect((await getBalance(t.db, owner.id)).balance).toBe(Credits.of(1000));

    const rows = await listEndUsers(t.db, { organizationId: w.orgId, botId: w.botId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: w.endUserId, available: Credits.of(25), planName: null });
  });

  it("refuses bad promos and other organizations' end users", async () => {
    const w = await seedBillingWorld(t.db, "Promo Rules");
    const other = await seedBillingWorld(t.db, "Promo Other");
    const base = { organizationId: w.orgId, botId: w.botId, endUserId: w.endUserId, amount: Credits.of(5), expiresAt: new Date(Date.now() + DAY) };
    await expect(givePromoCredits(t.db, { ...base, amount: 0n })).rejects.toMatchObject({ code: "validation_error" });
    await expect(givePromoCredits(t.db, { ...base, expiresAt: new Date(Date.now() - 1000) })).rejects.toMatchObject({ code: "validation_error" });
    await expect(givePromoCredits(t.db, { ...base, endUserId: other.endUserId })).rejects.toMatchObject({ code: "not_found" });
    await expect(givePromoCredits(t.db, { ...base, botId: other.botId })).rejects.toMatchObject({ code: "not_found" });
    await expect(listEndUsers(t.db, { organizationId: w.orgId, botId: other.botId })).rejects.toMatchObject({ code: "not_found" });
  });

  it("packs and plans: validation, archive, and the price per credit", async () => {
    const w = await seedBillingWorld(t.db, "Offers");
    const pack = await createEndUserPack(t.db, { organizationId: w.orgId, botId: w.botId, name: "100", priceMinor: 500, currency: "USD", credits: Credits.of(100) });
    expect(pack.currency).toBe("usd");
    await expect(createEndUserPack(t.db, { organizationId: w.orgId, botId: w.botId, name: "x", priceMinor: 0, currency: "usd", credits: Credits.of(1) })).rejects.toMatchObject({ code: "validation_error" });
    await expect(
      createEndUserPack(t.db, { organizationId: w.orgId, botId: w.botId, name: "x", priceMinor: 100, currency: "usd", credits: Credits.of(1), bonusCredits: Credits.of(1) }),
    ).rejects.toMatchObject({ details: { errors: [{ field: "bonusExpiresInDays" }] } });
    await expect(createEndUserPlan(t.db, { organizationId: w.orgId, botId: w.botId, name: "p", priceMinor: 100, currency: "xyz", interval: "month", creditsPerPeriod: Credits.of(1), rollover: false })).rejects.toMatchObject({ code: "validation_error" });
    const [other] = await t.db.insert(organizations).values({ name: "Thief" }).returning();
    await expect(setPackStatus(t.db, { sellerOrganizationId: other.id, packId: pack.id, status: "archived" })).rejects.toMatchObject({ code: "not_found" });
    await setPackStatus(t.db, { sellerOrganizationId: w.orgId, packId: pack.id, status: "archived" });
    expect(await listBotPacks(t.db, w.botId)).toHaveLength(0);
    expect(await listBotPacks(t.db, w.botId, { includeArchived: true })).toHaveLength(1);
    expect(pricePerCredit(500, Credits.of(100), "usd")).toBe("$0.05");
    expect(pricePerCredit(2000, Credits.of(500), "usd")).toBe("$0.04");
    expect(pricePerCredit(1000, Credits.of(1000), "usd")).toBe("$0.01");
    expect(pricePerCredit(4500, Credits.of(5000), "eur")).toBe("€0.009");
  });
});
