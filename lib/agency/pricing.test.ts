import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import type { Db } from "@/db/client";
import { createPackCheckout, fulfilCheckoutSession, listOrders } from "@/lib/billing";
import { startBillingHarness, type BillingHarness } from "@/lib/billing/test-helpers";
import { ForbiddenError, InvalidInputError, NotFoundError } from "@/lib/errors";
import { Credits, getBalance, getOrCreateOrgAccount, verifyLedger } from "@/lib/ledger";
import { createSubAccount } from "./create-sub-account";
import { createAgencyPackFor, getAgencyPricing, setAgencyPackStatus } from "./pricing";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/billing" };

beforeAll(async () => {
  h = await startBillingHarness(() => t.db);
});
afterAll(async () => {
  await h?.stop();
});

let n = 0;
async function agencyWorld(db: Db) {
  n++;
  const [agency] = (await db.execute(sql`insert into organizations (name, kind) values (${`Pricing Agency ${n}`}, 'agency') returning id`)) as unknown as { id: string }[];
  const [admin] = (await db.execute(sql`insert into users (email, name, password_hash) values (${`pa${n}@a.test`}, 'A', 'x') returning id`)) as unknown as { id: string }[];
  await db.execute(sql`insert into memberships (user_id, organization_id, role) values (${admin.id}, ${agency.id}, 'admin')`);
  const actor = { userId: admin.id, orgId: agency.id };
  const sub = await createSubAccount(db, actor, { name: `Pricing Client ${n}` });
  return { agencyId: agency.id, actor, subId: sub.id };
}

describe("agency pricing", () => {
  it("the agency sells a pack; its sub-account buys it through Checkout; credits land in the sub-account; the order shows for both", async () => {
    const w = await agencyWorld(t.db);
    const pack = await createAgencyPackFor(t.db, w.actor, { name: "Client 200", priceMinor: 4900, currency: "usd", credits: Credits.of(200), bonusCredits: Credits.of(20), bonusExpiresInDays: 30 });
    expect(pack).toMatchObject({ audience: "agency_to_sub_account", ownerOrganizationId: w.agencyId });

    const started = await createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: w.subId }, ...urls }, h.stripe);
    const paid = await h.control(`/_sandbox/pay/${started.sessionId}`, { card: "4242424242424242" });
    expect(paid.status).toBe(200);
    await h.idle();
    await fulfilCheckoutSession(t.db, started.sessionId, h.stripe);

    const subPool = await getOrCreateOrgAccount(t.db, w.subId);
    const bal = await getBalance(t.db, subPool.id);
    expect(bal.paid.balance).toBe(Credits.of(200));
    expect(bal.free.balance).toBe(Credits.of(20));
    // the sub-account's Orders list, and the agency's sales
    expect((await listOrders(t.db, w.subId)).map((o) => [o.description, o.status])).toEqual([["Client 200", "paid"]]);
    const pricing = await getAgencyPricing(t.db, w.actor);
    expect(pricing.sales.map((s) => [s.subAccountName, s.description, s.status, s.amountMinor])).toEqual([[`Pricing Client ${n}`, "Client 200", "paid", 4900]]);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("only the agency's own sub-accounts may buy; only its admins may price; archived packs are not sold", async () => {
    const w = await agencyWorld(t.db);
    const other = await agencyWorld(t.db);
    const pack = await createAgencyPackFor(t.db, w.actor, { name: "Mine", priceMinor: 1000, currency: "usd", credits: Credits.of(10) });
    await expect(createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: other.subId }, ...urls }, h.stripe)).rejects.toBeInstanceOf(NotFoundError);
    await expect(createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: w.agencyId }, ...urls }, h.stripe)).rejects.toBeInstanceOf(NotFoundError);
    // a sub-account user working in its sub-account cannot price
    const [u] = (await t.db.execute(sql`insert into users (email, name, password_hash) values (${`subp${n}@s.test`}, 'S', 'x') returning id`)) as unknown as { id: string }[];
    await t.db.execute(sql`insert into memberships (user_id, organization_id, role) values (${u.id}, ${w.subId}, 'admin')`);
    await expect(createAgencyPackFor(t.db, { userId: u.id, orgId: w.subId }, { name: "X", priceMinor: 100, currency: "usd", credits: Credits.of(1) })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getAgencyPricing(t.db, { userId: u.id, orgId: w.subId })).rejects.toBeInstanceOf(ForbiddenError);
    // another agency cannot archive our pack
    await expect(setAgencyPackStatus(t.db, other.actor, { packId: pack.id, status: "archived" })).rejects.toBeInstanceOf(NotFoundError);
    await setAgencyPackStatus(t.db, w.actor, { packId: pack.id, status: "archived" });
    await expect(createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: w.subId }, ...urls }, h.stripe)).rejects.toThrow(/no longer sold/);
    await expect(createAgencyPackFor(t.db, w.actor, { name: "Free?", priceMinor: 0, currency: "usd", credits: Credits.of(1) })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
