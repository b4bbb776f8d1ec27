import { and, eq, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import type { DbOrTx } from "@/db/client";
import { billingCustomers, endUsers, organizations } from "@/db/schema";
import { NotFoundError } from "@/lib/errors";
import { getStripe } from "./stripe";

/**
 * The Stripe customer of an organization or of one end user, created on first use. Creating a customer is a
 * Stripe call, so it happens outside any transaction; the insert is race-safe (the loser's customer is simply
 * unused) and the Idempotency-Key keeps retries from creating more than one per subject.
 */
export async function getOrCreateOrgCustomer(db: DbOrTx, organizationId: string, stripe: Stripe = getStripe()): Promise<string> {
  const [existing] = await db
    .select({ id: billingCustomers.stripeCustomerId })
    .from(billingCustomers)
    .where(and(eq(billingCustomers.organizationId, organizationId), isNull(billingCustomers.endUserId)))
    .limit(1);
  if (existing) return existing.id;
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  if (!org) throw new NotFoundError("Organization");
  const customer = await stripe.customers.create(
    { name: org.name, email: org.billingEmail ?? undefined, metadata: { organization_id: org.id } },
    { idempotencyKey: `customer-org-${org.id}` },
  );
  const [row] = await db
    .insert(billingCustomers)
    .values({ organizationId, stripeCustomerId: customer.id })
    .onConflictDoNothing()
    .returning({ id: billingCustomers.stripeCustomerId });
  if (row) return row.id;
  return getOrCreateOrgCustomer(db, organizationId, stripe);
}

/** The Stripe customer of one end user of a bot (their plans and receipts); email is optional. */
export async function getOrCreateEndUserCustomer(
  db: DbOrTx,
  input: { organizationId: string; botId: string; endUserId: string },
  stripe: Stripe = getStripe(),
): Promise<string> {
  const existing = await findEndUserCustomer(db, input.endUserId);
  if (existing) return existing;
  const [endUser] = await db.select().from(endUsers).where(and(eq(endUsers.id, input.endUserId), eq(endUsers.botId, input.botId))).limit(1);
  if (!endUser) throw new NotFoundError("End user");
  const customer = await stripe.customers.create(
    {
      email: endUser.email ?? undefined,
      metadata: { organization_id: input.organizationId, bot_id: input.botId, end_user_id: endUser.id, end_user_external_id: endUser.externalId },
    },
    { idempotencyKey: `customer-end-user-${endUser.id}` },
  );
  const [row] = await db
    .insert(billingCustomers)
    .values({ organizationId: input.organizationId, endUserId: endUser.id, stripeCustomerId: customer.id })
    .onConflictDoNothing()
    .returning({ id: billingCustomers.stripeCustomerId });
  if (row) return row.id;
  return (await findEndUserCustomer(db, input.endUserId))!;
}

export async function findEndUserCustomer(db: DbOrTx, endUserId: string): Promise<string | null> {
  const [row] = await db.select({ id: billingCustomers.stripeCustomerId }).from(billingCustomers).where(eq(billingCustomers.endUserId, endUserId)).limit(1);
  return row?.id ?? null;
}

export async function findOrgCustomer(db: DbOrTx, organizationId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: billingCustomers.stripeCustomerId })
    .from(billingCustomers)
    .where(and(eq(billingCustomers.organizationId, organizationId), isNull(billingCustomers.endUserId)))
    .limit(1);
  return row?.id ?? null;
}
