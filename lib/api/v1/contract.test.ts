import { beforeAll, describe, expect, it } from "vitest";
import { forgetAuthorizedHolds } from "@/lib/metering/holds";
import { and, eq, sql } from "drizzle-orm";
import { useTestDb } from "@/test/db";
import { callRoute } from "@/test/api";
import { bots, notifications, organizations } from "@/db/schema";
import { createApiKey, revokeApiKey } from "@/lib/metering/api-keys";
import { getOrCreateEndUserAccount, getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { findOrCreateEndUser } from "@/lib/bots/bots";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { getBalance } from "@/lib/ledger/get-balance";
import { expireHolds } from "@/lib/ledger/expire-holds";
import { Credits } from "@/lib/ledger/credits";
import { verifyLedger } from "@/lib/ledger/verify";
import { POST as authorizePOST } from "@/app/api/v1/authorizations/route";
import { POST as capturePOST } from "@/app/api/v1/authorizations/[id]/capture/route";
import { POST as releasePOST } from "@/app/api/v1/authorizations/[id]/release/route";
import { POST as usagePOST } from "@/app/api/v1/usage-events/route";
import { POST as batchPOST } from "@/app/api/v1/usage-events/batch/route";
import { GET as balanceGET } from "@/app/api/v1/balance/route";
import { GET as botsGET } from "@/app/api/v1/bots/route";
import { GET as openapiGET } from "@/app/api/v1/openapi.json/route";

const t = useTestDb();

interface Org {
  orgId: string;
  botId: string;
  codingBotId: string;
  key: string;
  accountId: string;
}

async function seedOrg(name: string, credits: string | null, freeReserve?: { perPeriod: string; perVisitor: number }): Promise<Org> {
  const [org] = await t.db.insert(organizations).values({ name, kind: "owner" }).returning();
  const [bot, codingBot] = await t.db
    .insert(bots)
    .values([
      {
        organizationId: org.id,
        name: `${name} Helpdesk`,
        type: "language_model",
        freeReservePerPeriod: freeReserve ? Credits.parse(freeReserve.perPeriod) : 0n,
        freeAnswersPerVisitorPerDay: freeReserve?.perVisitor ?? 0,
      },
      { organizationId: org.id, name: `${name} CodePilot`, type: "coding" },
    ])
    .returning();
  const key = await createApiKey(t.db, { organizationId: org.id, name: "test" });
  const account = await getOrCreateOrgAccount(t.db, org.id);
  if (credits) await grantBatch(t.db, { accountId: account.id, type: "paid", source: "top_up", amount: Credits.parse(credits) });
  return { orgId: org.id, botId: bot.id, codingBotId: codingBot.id, key: key.plaintext, accountId: account.id };
}

/** A paying visitor of main's first bot who bought a 1-credit pack: their own account. */
async function payingVisitorWithOneCredit(externalId: string): Promise<{ id: string }> {
  const endUser = await findOrCreateEndUser(t.db, main.botId, externalId);
  const account = await getOrCreateEndUserAccount(t.db, { organizationId: main.orgId, botId: main.botId, endUserId: endUser.id });
  await grantBatch(t.db, { accountId: account.id, type: "paid", source: "pack", amount: Credits.parse("1") });
  return account;
}

const auth = (org: Org, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${org.key}`, ...extra });
const balanceOf = async (accountId: string) => Credits.format((await getBalance(t.db, accountId)).balance);

let main: Org;
let other: Org;

beforeAll(async () => {
  process.env.DATABASE_URL = t.url;
  main = await seedOrg("Main", "100", { perPeriod: "0.05", perVisitor: 2 });
  other = await seedOrg("Other", "100");
});

describe("authentication", () => {
  it("401 without a key, with a malformed key, an unknown key and a revoked key", async () => {
    const body = { bot_id: main.botId, actor: "operator", amount: "1" };
    expect((await callRoute(authorizePOST, { body })).status).toBe(401);
    expect((await callRoute(authorizePOST, { body, headers: { authorization: "Bearer nope" } })).status).toBe(401);
    expect((await callRoute(authorizePOST, { body, headers: { authorization: `Bearer cdk_abcdefgh_${"x".repeat(32)}` } })).status).toBe(401);
    const key = await createApiKey(t.db, { organizationId: main.orgId, name: "to revoke" });
    const [{ id }] = (await t.db.query.apiKeys.findMany({ where: (k, { eq }) => eq(k.prefix, key.prefix) }));
    // used first, so the key is remembered (its hash and its principal): revoking must still end it at once
    expect((await callRoute(balanceGET, { headers: { authorization: `Bearer ${key.plaintext}` }, query: { bot_id: main.botId } })).status).toBe(200);
    await revokeApiKey(t.db, main.orgId, id);
    const res = await callRoute(authorizePOST, { body, headers: { authorization: `Bearer ${key.plaintext}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe("unauthorized");
  });
});

describe("authorize → capture → release", () => {
  it("holds, captures usage priced by the rate card, and releases the rest (SPEC §17 ex. 2 shape)", async () => {
    const before = await balanceOf(main.accountId);
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "0.05" }, headers: auth(main) });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ status: "held", amount: "0.05", pool: "owner" });
    expect(new Date(held.body.expires_at as string).getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);

    const bal = await callRoute(balanceGET, { headers: auth(main), query: { bot_id: main.botId } });
    expect(bal.body).toMatchObject({ balance: before, held: "0.05" });

    const captured = await callRoute(capturePOST, {
      body: { usage: [{ category: "llm", input_tokens: 1500, output_tokens: 300 }] },
      headers: auth(main),
      params: { id: held.body.id as string },
    });
    expect(captured.status).toBe(200);
    // standard tier: 1500 in × 0.0025/1K + 300 out × 0.01/1K = 0.00675
    expect(captured.body).toMatchObject({ charged: "0.00675", released: "0.04325", uncollected: "0" });
    expect(captured.body.usage_event_id).toEqual(expect.any(String));
    expect(await balanceOf(main.accountId)).toBe(Credits.format(Credits.parse(before) - 6750n));

    const again = await callRoute(capturePOST, { body: { amount: "0.01" }, headers: auth(main), params: { id: held.body.id as string } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, code: "hold_already_resolved", hold_status: "captured" });
    const release = await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } });
    expect(release.status).toBe(409);
  });

  it("release gives the whole hold back; a second release is 409", async () => {
    const before = await balanceOf(main.accountId);
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "2" }, headers: auth(main) });
    const released = await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: "released", released: "2" });
    expect(await balanceOf(main.accountId)).toBe(before);
    expect((await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } })).status).toBe(409);
  });

  it("capture above the hold takes the excess from available; what cannot be covered is uncollected (SPEC §17 ex. 4)", async () => {
    const poor = await seedOrg("Poor", "1");
    const held = await callRoute(authorizePOST, { body: { bot_id: poor.botId, actor: "operator", amount: "1" }, headers: auth(poor) });
    const captured = await callRoute(capturePOST, { body: { amount: "3" }, headers: auth(poor), params: { id: held.body.id as string } });
    expect(captured.body).toMatchObject({ charged: "1", released: "0", uncollected: "2" });
    expect(await balanceOf(poor.accountId)).toBe("0");
    const next = await callRoute(authorizePOST, { body: { bot_id: poor.botId, actor: "operator", amount: "0.001" }, headers: auth(poor) });
    expect(next.status).toBe(402);
    expect(next.body.code).toBe("insufficient_credits");
  });

  it("another organization's hold and bot are 404, and nothing changes", async () => {
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
    const foreignCapture = await callRoute(capturePOST, { body: { amount: "1" }, headers: auth(other), params: { id: held.body.id as string } });
    expect(foreignCapture.status).toBe(404);
    expect(foreignCapture.body.code).toBe("not_found");
    expect((await callRoute(releasePOST, { rawBody: "", headers: auth(other), params: { id: held.body.id as string } })).status).toBe(404);
    // the same from an instance that did not authorize it (the hold is read, not remembered)
    forgetAuthorizedHolds();
    expect((await callRoute(capturePOST, { body: { amount: "1" }, headers: auth(other), params: { id: held.body.id as string } })).status).toBe(404);
    expect((await callRoute(capturePOST, { body: { amount: "1" }, headers: auth(main), params: { id: "not-a-uuid" } })).status).toBe(404);
    const foreignBot = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(other) });
    expect(foreignBot.status).toBe(404);
    expect((await callRoute(balanceGET, { headers: auth(other), query: { bot_id: main.botId } })).status).toBe(404);
    expect(await balanceOf(other.accountId)).toBe("100");
    await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } });
  });
});

describe("validation", () => {
  const cases: [string, unknown, string][] = [
    ["a negative amount", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "operator", amount: "-1" }, "amount"],
    ["a zero amount", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "operator", amount: "0" }, "amount"],
    ["a too-precise amount", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "operator", amount: "0.0000001" }, "amount"],
    ["a number instead of a string", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "operator", amount: 1.5 }, "amount"],
    ["an unknown actor", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "robot", amount: "1" }, "actor"],
    ["a bad bot id", { bot_id: 42, actor: "operator", amount: "1" }, "bot_id"],
    ["an unknown field", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "operator", amount: "1", colour: "red" }, "colour"],
    // Above a billion credits: refused here, not left to overflow Postgres' bigint (a 500).
    ["an amount beyond the limit", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "operator", amount: "10000000000000" }, "amount"],
    ["a visitor id with a NUL character", { bot_id: "00000000-0000-4000-8000-000000000000", actor: "free_visitor", end_user_id: "vis\u0000itor", amount: "1" }, "end_user_id"],
  ];
  for (const [what, body, field] of cases) {
    it(`400 validation_error naming ${field} for ${what}`, async () => {
      const res = await callRoute(authorizePOST, { body, headers: auth(main) });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("validation_error");
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toContain(field);
    });
  }

  it("400 for malformed JSON, an unknown category and fractional tokens; nothing charged", async () => {
    const before = await balanceOf(main.accountId);
    const malformed = await callRoute(usagePOST, { rawBody: "{not json", headers: auth(main) });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: "validation_error", errors: [{ field: "(body)" }] });
    const unknown = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "operator", category: "teleport" }, headers: auth(main) });
    expect(unknown.status).toBe(400);
    expect((unknown.body.errors as { field: string }[])[0].field).toBe("category");
    const fractional = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "operator", category: "llm", input_tokens: 1.5 }, headers: auth(main) });
    expect(fractional.status).toBe(400);
    expect((fractional.body.errors as { field: string }[])[0].field).toBe("input_tokens");
    const paying = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "paying_visitor", amount: "1" }, headers: auth(main) });
    expect(paying.status).toBe(400);
    expect((paying.body.errors as { field: string }[])[0].field).toBe("end_user_id");
    const future = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "operator", category: "web_search", occurred_at: new Date(Date.now() + 3600_000).toISOString() }, headers: auth(main) });
    expect(future.status).toBe(400);
    expect(await balanceOf(main.accountId)).toBe(before);
  });
});

describe("validation of what passes the schema's first look", () => {
  it("a capture naming an unknown usage field is 400 naming it, and the hold stays open (not captured as zero)", async () => {
    const before = await balanceOf(main.accountId);
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
    const id = held.body.id as string;
    const misspelled = await callRoute(capturePOST, { body: { usage: [{ category: "llm", prompt_tokens: 100000, completion_tokens: 50000 }] }, headers: auth(main), params: { id } });
    expect(misspelled.status).toBe(400);
    expect((misspelled.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(["usage.0.completion_tokens", "usage.0.prompt_tokens"]);
    const captured = await callRoute(capturePOST, { body: { usage: [{ category: "llm", input_tokens: 100000, output_tokens: 50000 }] }, headers: auth(main), params: { id } });
    expect(captured.status).toBe(200);
    // 100K in × 0.0025/1K + 50K out × 0.01/1K = 0.75
    expect(captured.body).toMatchObject({ charged: "0.75", released: "0.25" });
    expect(Credits.parse(await balanceOf(main.accountId))).toBe(Credits.parse(before) - 750_000n);
  });

  it("a capture amount beyond the limit is 400 naming amount, and the hold stays open", async () => {
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
    const huge = await callRoute(capturePOST, { body: { amount: "10000000000000" }, headers: auth(main), params: { id: held.body.id as string } });
    expect(huge.status).toBe(400);
    expect(huge.body.errors).toEqual([{ field: "amount", message: "must be at most 1,000,000,000 credits" }]);
    expect((await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } })).status).toBe(200);
  });

  it("an occurred_at before the first rate card is 400 naming occurred_at, alone or in a batch", async () => {
    const body = { bot_id: main.botId, actor: "operator", category: "web_search", occurred_at: "2019-06-01T00:00:00Z" };
    const single = await callRoute(usagePOST, { body, headers: auth(main) });
    expect(single.status).toBe(400);
    expect((single.body.errors as { field: string }[])[0].field).toBe("occurred_at");
    const batch = await callRoute(batchPOST, { body: { events: [body] }, headers: auth(main) });
    expect((batch.body.data as { status: number; error: { code: string } }[])[0]).toMatchObject({ status: 400, error: { code: "validation_error" } });
  });

  it("an Idempotency-Key over 255 characters is 400 naming the header", async () => {
    const res = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "operator", category: "web_search" }, headers: auth(main, { "idempotency-key": "k".repeat(256) }) });
    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[])[0].field).toBe("Idempotency-Key");
  });

  it("training reported on a paying visitor's hold is refused: the visitor's credits never pay for training", async () => {
    const account = await payingVisitorWithOneCredit("payer-training");
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "paying_visitor", end_user_id: "payer-training", amount: "0.5" }, headers: auth(main) });
    expect(held.body.pool).toBe("end_user");
    const id = held.body.id as string;
    const refused = await callRoute(capturePOST, { body: { usage: [{ category: "llm", input_tokens: 10 }, { category: "training", training_tokens: 1_000_000 }] }, headers: auth(main), params: { id } });
    expect(refused.status).toBe(400);
    expect((refused.body.errors as { field: string }[])[0].field).toBe("usage.1.category");
    expect(await balanceOf(account.id)).toBe("1");
    // The answer itself is still the visitor's to pay; training goes to the owner pool on its own.
    expect((await callRoute(capturePOST, { body: { usage: [{ category: "llm", input_tokens: 1000 }] }, headers: auth(main), params: { id } })).status).toBe(200);
    expect(await balanceOf(account.id)).toBe("0.9975");
  });

  it("capturing an expired hold is 409 hold_expired even when the usage costs nothing", async () => {
    const expiredHold = async () => {
      const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
      // Expired, and not yet swept by the expiry job; read by an instance that did not authorize it.
      await t.db.execute(sql`update holds set expires_at = now() - interval '1 minute' where id = ${held.body.id as string}`);
      forgetAuthorizedHolds();
      return held.body.id as string;
    };
    const priced = await callRoute(capturePOST, { body: { amount: "0.5" }, headers: auth(main), params: { id: await expiredHold() } });
    expect(priced.body.code).toBe("hold_expired");
    const free = await callRoute(capturePOST, { body: { usage: [{ category: "llm", input_tokens: 0, output_tokens: 0 }] }, headers: auth(main), params: { id: await expiredHold() } });
    expect(free.status).toBe(409);
    expect(free.body.code).toBe("hold_expired");
  });

  it("an expired hold answers 409 hold_expired to a release and a capture alike, before and after the expiry job", async () => {
    const expiredHold = async () => {
      const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
      await t.db.execute(sql`update holds set expires_at = now() - interval '1 minute' where id = ${held.body.id as string}`);
      forgetAuthorizedHolds(); // read by an instance that did not authorize it (the one that did knows the old expiry)
      return held.body.id as string;
    };
    const expectExpired = (reply: { status: number; body: Record<string, unknown> }) => expect([reply.status, reply.body.code, reply.body.hold_status]).toEqual([409, "hold_expired", "expired"]);
    const statusOf = async (id: string) => ((await t.db.execute(sql`select status from holds where id = ${id}`)) as unknown as { status: string }[])[0].status;
    await expireHolds(t.db); // what earlier tests left past its expiry
    const balanceBefore = await balanceOf(main.accountId);
    const availableBefore = (await getBalance(t.db, main.accountId)).available;

    // Before the job: a release is refused, and expires the hold on the spot (its credit is free at once),
    // also when its Idempotency-Key's transaction rolls back with the refusal.
    const released = await expiredHold();
    expectExpired(await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: released } }));
    expect(await statusOf(released)).toBe("expired");
    const releasedWithKey = await expiredHold();
    expectExpired(await callRoute(releasePOST, { rawBody: "", headers: auth(main, { "idempotency-key": "release-late" }), params: { id: releasedWithKey } }));
    expect(await statusOf(releasedWithKey)).toBe("expired");
    // Captured before its expiry: a late release says so, not "expired".
    const capturedInTime = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
    await callRoute(capturePOST, { body: { amount: "1" }, headers: auth(main), params: { id: capturedInTime.body.id as string } });
    await t.db.execute(sql`update holds set expires_at = now() - interval '1 minute' where id = ${capturedInTime.body.id as string}`);
    forgetAuthorizedHolds();
    const lateRelease = await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: capturedInTime.body.id as string } });
    expect([lateRelease.status, lateRelease.body.code, lateRelease.body.hold_status]).toEqual([409, "hold_already_resolved", "captured"]);
    // A capture is refused too; the job expires that one.
    const captured = await expiredHold();
    expectExpired(await callRoute(capturePOST, { body: { amount: "0.5" }, headers: auth(main), params: { id: captured } }));
    await expireHolds(t.db);
    expect(await statusOf(captured)).toBe("expired");
    // After the job: the same answers.
    for (const id of [released, releasedWithKey, captured]) {
      expectExpired(await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id } }));
      expectExpired(await callRoute(capturePOST, { body: { amount: "0.5" }, headers: auth(main), params: { id } }));
    }
    expect(await balanceOf(main.accountId)).toBe(Credits.format(Credits.parse(balanceBefore) - Credits.parse("1")));
    expect((await getBalance(t.db, main.accountId)).available).toBe(availableBefore - Credits.parse("1"));
  });

  it("the instance that authorized a hold knows its expiry: a release after it is 409 hold_expired without reading the hold", async () => {
    const { authorize } = await import("@/lib/metering/authorize");
    const { releaseAuthorization } = await import("@/lib/metering/holds");
    const hold = await authorize(t.db, { organizationId: main.orgId, botId: main.botId, actor: "operator", amount: Credits.parse("1"), expiresAt: new Date(Date.now() + 300) });
    await new Promise((r) => setTimeout(r, 400));
    const refused = await releaseAuthorization(t.db, main.orgId, hold.id).catch((e) => e);
    expect(refused.code).toBe("hold_expired");
    const [row] = (await t.db.execute(sql`select status from holds where id = ${hold.id}`)) as unknown as { status: string }[];
    expect(row.status).toBe("expired");
  });
});

describe("usage events", () => {
  it("charges a direct event priced at the rate card and routes training to the owner pool", async () => {
    const before = Credits.parse(await balanceOf(main.accountId));
    const res = await callRoute(usagePOST, { body: { bot_id: main.codingBotId, actor: "operator", category: "code_artifact", artifacts: 2 }, headers: auth(main) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "charged", charged: "0.04", pool: "owner" });
    const training = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "paying_visitor", end_user_id: "visitor-t", category: "training", training_tokens: 10_000 }, headers: auth(main) });
    expect(training.body).toMatchObject({ charged: "0.001", pool: "owner" });
    expect(Credits.parse(await balanceOf(main.accountId))).toBe(before - 40_000n - 1000n);
  });

  it("a batch gives per-event results; one bad event does not sink the others; over 1000 is 413", async () => {
    const events = [
      { bot_id: main.botId, actor: "operator", category: "web_search", searches: 1 },
      { bot_id: main.botId, actor: "operator", category: "teleport" },
      { bot_id: other.botId, actor: "operator", category: "web_search" },
      { bot_id: main.botId, actor: "operator", category: "speech_to_text", audio_seconds: 30 },
    ];
    const res = await callRoute(batchPOST, { body: { events }, headers: auth(main) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 2 });
    const data = res.body.data as { index: number; status: number; error?: { code: string } }[];
    expect(data.map((d) => d.status)).toEqual([201, 400, 404, 201]);
    expect(data[1].error?.code).toBe("validation_error");

    // Pools mix in one batch: a paying visitor without credits is refused alone; a free visitor uses the reserve.
    const mixed = await callRoute(batchPOST, {
      body: {
        events: [
          { bot_id: main.botId, actor: "paying_visitor", end_user_id: "batch-payer", category: "web_search" },
          { bot_id: main.botId, actor: "free_visitor", end_user_id: "batch-free", category: "web_search" },
          { bot_id: main.botId, actor: "operator", category: "code_artifact", artifacts: 1 },
        ],
      },
      headers: auth(main),
    });
    const mixedData = mixed.body.data as { status: number; error?: { code: string }; result?: { pool: string } }[];
    expect(mixedData.map((d) => d.status)).toEqual([402, 201, 201]);
    expect(mixedData[0].error?.code).toBe("end_user_credits_exhausted");
    expect(mixedData[1].result?.pool).toBe("free_reserve");

    // Events of one batch share their lookups (route, rate card) only when they route alike: the same
    // visitor's training goes to the owner pool, another visitor is routed on their own, a foreign bot stays 404.
    const before = await balanceOf(main.accountId);
    const shared = await callRoute(batchPOST, {
      body: {
        events: [
          { bot_id: main.botId, actor: "paying_visitor", end_user_id: "batch-payer", category: "web_search" },
          { bot_id: main.botId, actor: "paying_visitor", end_user_id: "batch-payer", category: "training", training_tokens: 10_000 },
          { bot_id: main.botId, actor: "paying_visitor", end_user_id: "batch-payer", category: "web_search" },
          { bot_id: main.botId, actor: "paying_visitor", end_user_id: "batch-payer-2", category: "training", training_tokens: 10_000 },
          { bot_id: other.botId, actor: "paying_visitor", end_user_id: "batch-payer", category: "web_search" },
        ],
      },
      headers: auth(main),
    });
    const sharedData = shared.body.data as { status: number; error?: { code: string }; result?: { pool: string; charged: string } }[];
    expect(sharedData.map((d) => d.status)).toEqual([402, 201, 402, 201, 404]);
    expect(sharedData.map((d) => d.result?.pool ?? d.error?.code)).toEqual(["end_user_credits_exhausted", "owner", "end_user_credits_exhausted", "owner", "not_found"]);
    expect(await balanceOf(main.accountId)).toBe(Credits.format(Credits.parse(before) - 2n * Credits.parse(sharedData[1].result!.charged)));

    const tooMany = await callRoute(batchPOST, { body: { events: Array.from({ length: 1001 }, () => events[0]) }, headers: auth(main) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.code).toBe("batch_too_large");
  });
});

describe("pool routing", () => {
  it("a paying visitor who runs out gets 402 end_user_credits_exhausted while the owner pool stays untouched", async () => {
    const before = await balanceOf(main.accountId);
    const res = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "paying_visitor", end_user_id: "payer-1", amount: "0.01" }, headers: auth(main) });
    expect(res.status).toBe(402);
    expect(res.body.code).toBe("end_user_credits_exhausted");
    const direct = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "paying_visitor", end_user_id: "payer-1", category: "web_search" }, headers: auth(main) });
    expect(direct.status).toBe(402);
    expect(direct.body.code).toBe("end_user_credits_exhausted");
    expect(await balanceOf(main.accountId)).toBe(before);
    const endUser = await callRoute(balanceGET, { headers: auth(main), query: { bot_id: main.botId, end_user_id: "payer-1" } });
    expect(endUser.body).toMatchObject({ balance: "0", available: "0", batches: [] });
  });

  it("a paying visitor with credits pays from their own batches only", async () => {
    const account = await payingVisitorWithOneCredit("payer-2");
    const ownerBefore = await balanceOf(main.accountId);
    const res = await callRoute(usagePOST, { body: { bot_id: main.botId, actor: "paying_visitor", end_user_id: "payer-2", category: "web_search" }, headers: auth(main) });
    expect(res.body).toMatchObject({ charged: "0.01", pool: "end_user" });
    expect(await balanceOf(account.id)).toBe("0.99");
    expect(await balanceOf(main.accountId)).toBe(ownerBefore);
  });

  it("free visitors get their daily answers from the reserve, then free_reserve_exhausted", async () => {
    const before = Credits.parse(await balanceOf(main.accountId));
    const ask = (visitor: string, amount = "0.01") => callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "free_visitor", end_user_id: visitor, amount }, headers: auth(main) });
    const first = await ask("free-1");
    expect(first.status).toBe(201);
    expect(first.body.pool).toBe("free_reserve");
    await callRoute(capturePOST, { body: { amount: "0.01" }, headers: auth(main), params: { id: first.body.id as string } });
    const second = await ask("free-1");
    expect(second.status).toBe(201);
    await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: second.body.id as string } });
    // A released answer is given back: the visitor may ask again.
    const third = await ask("free-1");
    expect(third.status).toBe(201);
    await callRoute(capturePOST, { body: { amount: "0.01" }, headers: auth(main), params: { id: third.body.id as string } });
    const fourth = await ask("free-1");
    expect(fourth.status).toBe(402);
    expect(fourth.body).toMatchObject({ code: "free_reserve_exhausted", reason: "visitor_daily_limit" });
    // The monthly reserve (0.05) also caps all visitors together: 0.02 used, 0.04 more is too much.
    const big = await ask("free-2", "0.04");
    expect(big.status).toBe(402);
    expect(big.body).toMatchObject({ code: "free_reserve_exhausted", reason: "period_reserve" });
    // Paid from the owner pool: exactly the two captured answers.
    expect(Credits.parse(await balanceOf(main.accountId))).toBe(before - 20_000n);
    // A free visitor's own balance is nothing, and reading it creates no account for them.
    const visitorBalance = await callRoute(balanceGET, { headers: auth(main), query: { bot_id: main.botId, end_user_id: "free-1" } });
    expect(visitorBalance.body).toMatchObject({ balance: "0", available: "0", batches: [] });
    const accountsOfVisitor = await t.db.execute(
      sql`select a.id from accounts a join end_users e on e.id = a.end_user_id where e.bot_id = ${main.botId} and e.external_id = 'free-1'`,
    );
    expect(accountsOfVisitor.length).toBe(0);
  });
});

describe("idempotency", () => {
  it("a replayed key returns the first result, concurrently charging once; another body is 409", async () => {
    const org = await seedOrg("Idem", "10");
    const body = { bot_id: org.botId, actor: "operator", category: "web_search", searches: 3 };
    const replies = await Promise.all(Array.from({ length: 10 }, () => callRoute(usagePOST, { body, headers: auth(org, { "idempotency-key": "evt-1" }) })));
    const ids = new Set(replies.map((r) => r.body.id));
    expect(replies.every((r) => r.status === 201)).toBe(true);
    expect(ids.size).toBe(1);
    expect(await balanceOf(org.accountId)).toBe("9.97");
    const conflict = await callRoute(usagePOST, { body: { ...body, searches: 4 }, headers: auth(org, { "idempotency-key": "evt-1" }) });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe("idempotency_conflict");
    expect(await balanceOf(org.accountId)).toBe("9.97");

    const hold = await callRoute(authorizePOST, { body: { bot_id: org.botId, actor: "operator", amount: "1" }, headers: auth(org, { "idempotency-key": "auth-1" }) });
    const captures = await Promise.all(Array.from({ length: 5 }, () => callRoute(capturePOST, { body: { amount: "0.5" }, headers: auth(org, { "idempotency-key": "cap-1" }), params: { id: hold.body.id as string } })));
    expect(captures.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(captures.map((c) => c.body.usage_event_id)).size).toBe(1);
    expect(await balanceOf(org.accountId)).toBe("9.47");
  });

  it("a refusal is the key's first result too: the same key gets the same 402 after credits arrive, a new key is charged", async () => {
    const org = await seedOrg("Idem402", "1");
    const body = { bot_id: org.botId, actor: "operator", amount: "5" };
    const key = { "idempotency-key": "auth-402" };
    const refusals = await Promise.all(Array.from({ length: 6 }, () => callRoute(authorizePOST, { body, headers: auth(org, key) })));
    expect(refusals.map((r) => r.status)).toEqual([402, 402, 402, 402, 402, 402]);
    expect(refusals[0].headers.get("content-type")).toBe("application/problem+json");
    expect(refusals[0].body).toMatchObject({ code: "insufficient_credits", shortfall: "4", available: "1" });

    await grantBatch(t.db, { accountId: org.accountId, type: "paid", source: "top_up", amount: Credits.parse("10") });
    const replay = await callRoute(authorizePOST, { body, headers: auth(org, key) });
    expect(replay.status).toBe(402);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("content-type")).toBe("application/problem+json");
    expect(replay.body).toEqual(refusals[0].body);
    expect((await callRoute(authorizePOST, { body: { ...body, amount: "4" }, headers: auth(org, key) })).body.code).toBe("idempotency_conflict");
    expect(await balanceOf(org.accountId)).toBe("11");
    expect((await getBalance(t.db, org.accountId)).held).toBe(0n);

    const fresh = await callRoute(authorizePOST, { body, headers: auth(org, { "idempotency-key": "auth-402-again" }) });
    expect(fresh.status).toBe(201);
    expect((await getBalance(t.db, org.accountId)).held).toBe(Credits.parse("5"));
  });

  it("a capture refused because the hold is resolved is kept too; a request that never ran (400) is not", async () => {
    const org = await seedOrg("Idem409", "10");
    const hold = await callRoute(authorizePOST, { body: { bot_id: org.botId, actor: "operator", amount: "1" }, headers: auth(org) });
    const id = hold.body.id as string;
    await callRoute(releasePOST, { rawBody: "", headers: auth(org), params: { id } });
    const late = await callRoute(capturePOST, { body: { amount: "1" }, headers: auth(org, { "idempotency-key": "cap-late" }), params: { id } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("hold_already_resolved");
    const again = await callRoute(capturePOST, { body: { amount: "1" }, headers: auth(org, { "idempotency-key": "cap-late" }), params: { id } });
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");

    const bad = { bot_id: org.botId, actor: "operator", amount: "-1" };
    expect((await callRoute(authorizePOST, { body: bad, headers: auth(org, { "idempotency-key": "auth-bad" }) })).status).toBe(400);
    const fixed = await callRoute(authorizePOST, { body: bad, headers: auth(org, { "idempotency-key": "auth-bad" }) });
    expect(fixed.status).toBe(400);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
    expect(await balanceOf(org.accountId)).toBe("10");
  });
});

describe("reads", () => {
  it("lists the organization's bots only", async () => {
    const res = await callRoute(botsGET, { headers: auth(main) });
    expect((res.body.data as { id: string }[]).map((b) => b.id).sort()).toEqual([main.botId, main.codingBotId].sort());
  });

  it("serves a valid OpenAPI 3.1 document covering every endpoint", async () => {
    const res = await callRoute(openapiGET as never);
    expect(res.body.openapi).toBe("3.1.0");
    const { validate } = await import("@readme/openapi-parser");
    const validation = await validate(JSON.parse(JSON.stringify(res.body)));
    expect(validation.valid ? [] : validation.errors).toEqual([]);
    // Every write that takes an Idempotency-Key documents its 409.
    const paths = res.body.paths as Record<string, { post?: { parameters?: { name: string }[]; responses: Record<string, unknown> } }>;
    for (const [path, item] of Object.entries(paths)) {
      if (item.post?.parameters?.some((p) => p.name === "Idempotency-Key")) expect(Object.keys(item.post.responses), path).toContain("409");
    }
    expect(Object.keys(res.body.paths as object).sort()).toEqual(
      ["/api/v1/authorizations", "/api/v1/authorizations/{id}/capture", "/api/v1/authorizations/{id}/release", "/api/v1/balance", "/api/v1/bots", "/api/v1/end-user-sessions", "/api/v1/usage-events", "/api/v1/usage-events/batch"].sort(),
    );
  });
});

describe("problem bodies", () => {
  it("402, 409 and 400 problems carry only documented members, of the documented types", async () => {
    const doc = (await callRoute(openapiGET as never)).body as { components: { schemas: { Problem: { properties: Record<string, { type?: string }>; required: string[] } } } };
    const problemSchema = doc.components.schemas.Problem;
    const undocumented = (body: Record<string, unknown>) =>
      Object.entries(body).flatMap(([key, value]) => {
        const property = problemSchema.properties[key];
        if (!property) return [`${key} is not documented`];
        const type = Array.isArray(value) ? "array" : typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;
        return property.type && property.type !== type ? [`${key} is ${type}, documented as ${property.type}`] : [];
      });
    const poor = await seedOrg("Poor", null);
    const refused = await callRoute(authorizePOST, { body: { bot_id: poor.botId, actor: "operator", amount: "1" }, headers: auth(poor) });
    expect(refused.body).toMatchObject({ code: "insufficient_credits", shortfall: "1", available: "0" });
    const held = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "1" }, headers: auth(main) });
    await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } });
    const resolved = await callRoute(releasePOST, { rawBody: "", headers: auth(main), params: { id: held.body.id as string } });
    expect(resolved.body).toMatchObject({ code: "hold_already_resolved", hold_status: "released" });
    const invalid = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "operator", amount: "-1" }, headers: auth(main) });
    const exhausted = await callRoute(authorizePOST, { body: { bot_id: main.botId, actor: "paying_visitor", end_user_id: "nobody-paid", amount: "1" }, headers: auth(main) });
    expect(exhausted.body.code).toBe("end_user_credits_exhausted");
    for (const body of [refused.body, resolved.body, invalid.body, exhausted.body]) {
      expect(undocumented(body), String(body.code)).toEqual([]);
      for (const member of problemSchema.required) expect(body).toHaveProperty(member);
    }
  });
});

describe("suspension", () => {
  it("a suspended sub-account's bots are refused with 403 organization_suspended, and work again once reactivated", async () => {
    const { forgetOrganizationStatus } = await import("@/lib/metering/routing");
    const org = await seedOrg("Suspended Client", "5");
    await t.db.update(organizations).set({ status: "suspended" }).where(eq(organizations.id, org.orgId));
    forgetOrganizationStatus(org.orgId);
    const refused = await callRoute(authorizePOST, { body: { bot_id: org.botId, actor: "operator", amount: "1" }, headers: auth(org) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("organization_suspended");
    expect(await balanceOf(org.accountId)).toBe("5");
    await t.db.update(organizations).set({ status: "active" }).where(eq(organizations.id, org.orgId));
    forgetOrganizationStatus(org.orgId);
    expect((await callRoute(authorizePOST, { body: { bot_id: org.botId, actor: "operator", amount: "1" }, headers: auth(org) })).status).toBe(201);
  });
});

describe("alerts", () => {
  async function waitForNotification(orgId: string, kind: string) {
    for (let i = 0; i < 50; i++) {
      const rows = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from notifications where organization_id = ${orgId} and kind = ${kind}`);
      if (rows[0].n > 0) return rows[0].n;
      await new Promise((r) => setTimeout(r, 50));
    }
    return 0;
  }

  it("a sub-account at zero is refused (402) and both it and its agency are notified, once", async () => {
    const [agency] = await t.db.insert(organizations).values({ name: "Agency X", kind: "agency" }).returning();
    const sub = await seedOrg("Client Y", "0.02");
    await t.db.update(organizations).set({ parentId: agency.id }).where(eq(organizations.id, sub.orgId));
    const spend = await callRoute(usagePOST, { body: { bot_id: sub.botId, actor: "operator", category: "web_search", searches: 2 }, headers: auth(sub) });
    expect(spend.status).toBe(201);
    const refused = await callRoute(authorizePOST, { body: { bot_id: sub.botId, actor: "operator", amount: "0.01" }, headers: auth(sub) });
    expect(refused.status).toBe(402);
    await callRoute(authorizePOST, { body: { bot_id: sub.botId, actor: "operator", amount: "0.01" }, headers: auth(sub) });
    expect(await waitForNotification(sub.orgId, "out_of_credits")).toBe(1);
    expect(await waitForNotification(agency.id, "sub_account_out_of_credits")).toBe(1);
  });

  it("a charge that leaves an organization below 10 credits warns of a low balance", async () => {
    const low = await seedOrg("Lowish", "10.005");
    await callRoute(usagePOST, { body: { bot_id: low.botId, actor: "operator", category: "web_search", searches: 1 }, headers: auth(low) });
    expect(await waitForNotification(low.orgId, "low_balance")).toBe(1);
    expect(await waitForNotification(low.orgId, "out_of_credits")).toBe(0);
  });

  it("a sub-account's low-balance warning sends it to its agency, not to auto-recharge (which it cannot set up)", async () => {
    const [agency] = await t.db.insert(organizations).values({ name: "Agency Low", kind: "agency" }).returning();
    const sub = await seedOrg("Client Low", "10.005");
    await t.db.update(organizations).set({ parentId: agency.id }).where(eq(organizations.id, sub.orgId));
    await callRoute(usagePOST, { body: { bot_id: sub.botId, actor: "operator", category: "web_search", searches: 1 }, headers: auth(sub) });
    expect(await waitForNotification(sub.orgId, "low_balance")).toBe(1);
    const [warning] = await t.db.select().from(notifications).where(and(eq(notifications.organizationId, sub.orgId), eq(notifications.kind, "low_balance")));
    expect(warning.body).toContain("ask your agency for credits");
    expect(warning.body).not.toContain("auto-recharge");
  });
});

describe("after all of the above", () => {
  it("the ledger's invariants hold", async () => {
    expect(await verifyLedger(t.db)).toEqual([]);
    const [org] = await t.db.select().from(organizations).where(eq(organizations.id, main.orgId));
    expect(org.name).toBe("Main");
  });
});
