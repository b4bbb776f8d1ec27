import { describe, expect, it } from "vitest";
import nodemailer from "nodemailer";
import { eq } from "drizzle-orm";
import { useTestDb } from "@/test/db";
import { emailOutbox, memberships, organizations, users } from "@/db/schema";
import { listNotifications, markRead, notify, periodKey, unreadCount } from "./notify";
import { deliverQueuedEmails } from "./mailer";

const t = useTestDb();

async function org(name: string) {
  const [o] = await t.db.insert(organizations).values({ name, billingEmail: `billing@${name.toLowerCase()}.test` }).returning();
  const [u] = await t.db.insert(users).values({ email: `admin@${name.toLowerCase()}.test`, name: "Admin", passwordHash: "x" }).returning();
  await t.db.insert(memberships).values({ userId: u.id, organizationId: o.id, role: "admin" });
  return o.id;
}

describe("notify", () => {
  it("notifies once per kind and period, even when raced, and emails admins and the billing address", async () => {
    const orgId = await org("Acme");
    const now = new Date("2026-11-21T13:20:00Z");
    const input = { organizationId: orgId, kind: "recharge_failed" as const, title: "Auto-recharge failed", body: "Your card was declined.", dedupeKey: periodKey("hour", now), email: true };
    const results = await Promise.all(Array.from({ length: 5 }, () => notify(t.db, input)));
    expect(results.filter(Boolean)).toHaveLength(1);
    // The next hour alerts again.
    expect(await notify(t.db, { ...input, dedupeKey: periodKey("hour", new Date("2026-11-21T14:01:00Z")) })).toBe(true);
    expect(await unreadCount(t.db, orgId)).toBe(2);
    const mails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.organizationId, orgId));
    expect(mails).toHaveLength(2);
    expect(mails[0]).toMatchObject({ to: "billing@acme.test, admin@acme.test", subject: "Auto-recharge failed", status: "outbox" });
  });

  it("marks read only the caller organization's notifications", async () => {
    const a = await org("Alpha");
    const b = await org("Beta");
    await notify(t.db, { organizationId: a, kind: "low_balance", title: "Low", body: "Low", dedupeKey: "d1" });
    await notify(t.db, { organizationId: b, kind: "low_balance", title: "Low", body: "Low", dedupeKey: "d1" });
    const [bNote] = await listNotifications(t.db, b);
    expect(await markRead(t.db, a, [bNote.id])).toBe(0);
    expect(await unreadCount(t.db, b)).toBe(1);
    expect(await markRead(t.db, a)).toBe(1);
    expect(await unreadCount(t.db, a)).toBe(0);
  });

  it("delivers queued mail through SMTP once, and retries a failure", async () => {
    const orgId = await org("Mailer");
    await t.db.insert(emailOutbox).values([
      { organizationId: orgId, to: "x@mailer.test", subject: "Invoice", text: "Thanks", links: [{ label: "Invoice PDF", url: "http://sandbox/i/in_1/pdf" }], status: "queued" },
    ]);
    const sent: string[] = [];
    const transport = nodemailer.createTransport({ jsonTransport: true });
    const original = transport.sendMail.bind(transport);
    let fail = true;
    transport.sendMail = (async (mail: nodemailer.SendMailOptions) => {
      if (fail) {
        fail = false;
        throw new Error("SMTP down");
      }
      sent.push(String(mail.text));
      return original(mail);
    }) as typeof transport.sendMail;
    expect(await deliverQueuedEmails(t.db, { transport, limit: 1 })).toEqual({ sent: 0, failed: 1 });
    expect(await deliverQueuedEmails(t.db, { transport })).toEqual({ sent: 1, failed: 0 });
    expect(await deliverQueuedEmails(t.db, { transport })).toEqual({ sent: 0, failed: 0 });
    expect(sent).toEqual(["Thanks\n\nInvoice PDF: http://sandbox/i/in_1/pdf"]);
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.organizationId, orgId));
    expect(row).toMatchObject({ status: "sent", attempts: "2" });
  });
});

describe("expiring batches", () => {
  it("warns once per batch that expires within 7 days, not for later ones or end users' credits", async () => {
    const { notifyExpiringBatches } = await import("./expiring-batches");
    const { getOrCreateOrgAccount } = await import("@/lib/ledger/accounts");
    const { grantBatch } = await import("@/lib/ledger/grant-batch");
    const orgId = await org("Expiring");
    const account = await getOrCreateOrgAccount(t.db, orgId);
    const day = 86_400_000;
    await grantBatch(t.db, { accountId: account.id, type: "free", source: "signup_bonus", amount: 5_000_000n, expiresAt: new Date(Date.now() + 3 * day) });
    await grantBatch(t.db, { accountId: account.id, type: "paid", source: "plan", amount: 9_000_000n, expiresAt: new Date(Date.now() + 20 * day) });
    expect(await notifyExpiringBatches(t.db)).toBeGreaterThanOrEqual(1);
    expect(await notifyExpiringBatches(t.db)).toBe(0);
    const mine = await listNotifications(t.db, orgId);
    expect(mine.filter((n) => n.kind === "batch_expiring").map((n) => n.title)).toEqual([expect.stringMatching(/^5 Free credits expire on /)]);
  });

  it("emails each expiring batch's notice once to the admins and billing address, not again on later runs", async () => {
    const { notifyExpiringBatches } = await import("./expiring-batches");
    const { getOrCreateOrgAccount } = await import("@/lib/ledger/accounts");
    const { grantBatch } = await import("@/lib/ledger/grant-batch");
    const orgId = await org("Mailexpiry");
    const account = await getOrCreateOrgAccount(t.db, orgId);
    const day = 86_400_000;
    const now = new Date();
    await grantBatch(t.db, { accountId: account.id, type: "free", source: "promo", amount: 3_000_000n, expiresAt: new Date(now.getTime() + 2 * day) });
    await grantBatch(t.db, { accountId: account.id, type: "paid", source: "top_up", amount: 7_000_000n, expiresAt: new Date(now.getTime() + 6 * day) });
    await notifyExpiringBatches(t.db, now);
    // The hourly job runs again, the next day too.
    await notifyExpiringBatches(t.db, new Date(now.getTime() + 3_600_000));
    await notifyExpiringBatches(t.db, new Date(now.getTime() + day));
    const mails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.organizationId, orgId));
    expect(mails.map((m) => m.subject).sort()).toEqual([expect.stringMatching(/^3 Free credits expire on /), expect.stringMatching(/^7 Paid credits expire on /)]);
    for (const mail of mails) {
      expect(mail).toMatchObject({ to: "billing@mailexpiry.test, admin@mailexpiry.test", status: "outbox" });
      expect(mail.links).toContainEqual({ label: "Open Creditdesk", url: "/credit/active" });
    }
  });
});
