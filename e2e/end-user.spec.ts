import { createHmac, randomBytes } from "node:crypto";
import { login } from "./support/login";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { e2eEnv, e2eSql, seedOrgWithUser } from "./support/env";
import { demoApiKey, expectNoBannedWords, payOnHostedPage, sandboxControl } from "./support/billing";
import { e2eDb } from "./support/ledger";
import { createEndUserPack } from "../lib/billing/offers";
import { Credits } from "../lib/ledger";

const BOT = () => e2eEnv().demo.helpdeskBotId;

async function accountLink(request: APIRequestContext, endUserId = `visitor-${randomBytes(4).toString("hex")}`) {
  const res = await request.post("/api/v1/end-user-sessions", {
    headers: { authorization: `Bearer ${demoApiKey()}` },
    data: { bot_id: BOT(), end_user_id: endUserId },
  });
  expect(res.status()).toBe(201);
  const body = await res.json();
  expect(new Date(body.expires_at).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  return { url: body.url as string, endUserId };
}

async function openAccount(page: Page, url: string) {
  await page.goto(url.replace(/^https?:\/\/[^/]+/, ""));
  await expect(page.getByRole("heading", { name: /Your credits in Helpdesk/ })).toBeVisible();
  await expectNoBannedWords(page);
}

test("an end user buys a pack through the hosted checkout and sees the credits", async ({ page, request }) => {
  const { url } = await accountLink(request);
  await openAccount(page, url);
  await expect(page.getByTestId("remaining-credits")).toHaveText("0");
  await expect(page.getByText("Credits are used for AI answers in this bot.")).toBeVisible();
  await expect(page.getByText("Credits are not payable out and not transferable between users.")).toBeVisible();
  await expect(page.getByText("When credits run out, you can buy new credits or wait, in case a plan provides new usage.")).toBeVisible();

  await page.getByRole("link", { name: "Buy credits" }).click();
  await expect(page.getByRole("heading", { name: "Buy credits for Helpdesk" })).toBeVisible();
  await expectNoBannedWords(page);
  const pack = page.getByTestId("pack-card").filter({ hasText: "500 credits" });
  await expect(pack).toContainText("$0.04 per credit");
  await pack.getByRole("button", { name: "Buy 500 credits" }).click();

  await payOnHostedPage(page);
  await expect(page).toHaveURL(/\/b\/[^/]+\/success\?session_id=cs_/);
  await expect(page.getByTestId("credits-received")).toContainText("550 credits");
  await expect(page.getByTestId("new-total")).toContainText("550");
  await expectNoBannedWords(page);
  await page.reload();
  await expect(page.getByTestId("new-total")).toContainText("550");

  await page.getByRole("link", { name: "See your credits" }).click();
  await expect(page.getByTestId("remaining-credits")).toHaveText("550");
  await expect(page.getByTestId("end-user-batch")).toHaveCount(2);
  await expect(page.getByRole("table", { name: "Your credits" })).toContainText("Bonus");
  await expectNoBannedWords(page);

  // The sale shows in the bot owner's activity.
  await page.context().clearCookies();
  await login(page, "owner@demo.test", "demo-password");
  await expect(page.getByRole("list", { name: "Recent activity" }).getByText(/Visitor bought 500 credits in Helpdesk · \$20\.00/).first()).toBeVisible();
});

test("an end user subscribes to a plan; when the clock advances a period a second grant appears", async ({ page, request }) => {
  const { url } = await accountLink(request);
  await openAccount(page, url);
  await page.getByRole("link", { name: "Buy credits" }).click();
  await page.getByRole("button", { name: "Subscribe to Helpdesk Monthly" }).click();
  await payOnHostedPage(page, "4242 4242 4242 4242", "Subscribe");
  await expect(page.getByTestId("credits-received")).toContainText("300 credits");
  await expectNoBannedWords(page);
  await page.getByRole("link", { name: "See your credits" }).click();
  await expect(page.getByTestId("remaining-credits")).toHaveText("300");
  await expect(page.getByTestId("end-user-plan")).toContainText("Helpdesk Monthly");
  await expect(page.getByTestId("end-user-plan")).toContainText("Active");

  const advanced = await sandboxControl("/_sandbox/advance", { seconds: 32 * 86_400 });
  expect(advanced.status).toBe(200);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("end-user-batch").count();
      },
      { timeout: 20_000 },
    )
    .toBe(2);
  await expect(page.getByTestId("remaining-credits")).toHaveText("600");
  await expectNoBannedWords(page);

  // Manage: the sandbox's customer portal cancels the plan; no further grants.
  await page.getByRole("link", { name: "Manage or cancel your plan" }).click();
  await expect(page.getByRole("heading", { name: "Current plans" })).toBeVisible();
  await page.getByRole("button", { name: /Cancel plan/ }).click();
  await expect
    .poll(
      async () => {
        await page.goto(url.replace(/^https?:\/\/[^/]+/, ""));
        return page.getByTestId("end-user-plan").innerText();
      },
      { timeout: 20_000 },
    )
    .toContain("Cancelled");
});

test("a declined card shows the error and grants nothing", async ({ page, request }) => {
  const { url, endUserId } = await accountLink(request);
  await openAccount(page, url);
  await page.getByRole("link", { name: "Buy credits" }).click();
  await page.getByRole("button", { name: "Buy 100 credits" }).click();
  await payOnHostedPage(page, "4000 0000 0000 0002");
  await expect(page.getByRole("alert")).toContainText("Your card was declined.");
  await page.getByRole("link", { name: /cancel/i }).click();
  await expect(page.getByText("Checkout was canceled. Nothing was charged.")).toBeVisible();
  await expectNoBannedWords(page);
  await page.getByRole("link", { name: "See your credits" }).click();
  await expect(page.getByTestId("remaining-credits")).toHaveText("0");
  await expect(page.getByTestId("end-user-batch")).toHaveCount(0);
  const rows = await e2eSql()`select o.status from orders o join end_users e on e.id = o.end_user_id where e.external_id = ${endUserId}`;
  expect(rows.map((r) => r.status)).toEqual(["payment_failed"]);
});

test("an expired or forged link shows a clear page, not the data", async ({ page, request }) => {
  const { url } = await accountLink(request);
  const token = new URL(url).searchParams.get("token")!;
  const [payload] = token.split(".");
  // Forged: someone else's end user id with the original signature.
  const data = JSON.parse(Buffer.from(payload, "base64url").toString());
  const forgedPayload = Buffer.from(JSON.stringify({ ...data, e: "00000000-0000-4000-8000-000000000000" })).toString("base64url");
  await page.goto(`/b/${BOT()}/account?token=${forgedPayload}.${token.split(".")[1]}`);
  await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  await expect(page.getByTestId("remaining-credits")).toHaveCount(0);
  await expectNoBannedWords(page);

  // Expired: correctly signed (the e2e server's AUTH_SECRET) but an hour old.
  const expiredPayload = Buffer.from(JSON.stringify({ ...data, x: Math.floor(Date.now() / 1000) - 60 })).toString("base64url");
  const sig = createHmac("sha256", "e2e-secret-e2e-secret-e2e-secret").update(`end-user:${expiredPayload}`).digest("base64url");
  await page.goto(`/b/${BOT()}/account?token=${expiredPayload}.${sig}`);
  await expect(page.getByRole("heading", { name: "This link has expired" })).toBeVisible();
  await expect(page.getByTestId("remaining-credits")).toHaveCount(0);
  await expectNoBannedWords(page);

  // No link at all: the bot's offers are visible, buying is not.
  await page.goto(`/b/${BOT()}`);
  await expect(page.getByRole("button", { name: "Buy 100 credits" })).toBeDisabled();
  await expectNoBannedWords(page);
});

/** A link signed as POST /api/v1/end-user-sessions would (the e2e server's AUTH_SECRET), valid for an hour. */
function signedLink(botId: string, endUserId: string) {
  const payload = Buffer.from(JSON.stringify({ b: botId, e: endUserId, x: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url");
  const sig = createHmac("sha256", "e2e-secret-e2e-secret-e2e-secret").update(`end-user:${payload}`).digest("base64url");
  return `${payload}.${sig}`;
}

test("a suspended sub-account's bot tells its visitors that buying is not available, with no Buy button", async ({ page }) => {
  const agency = await seedOrgWithUser({ kind: "agency" });
  const sub = await seedOrgWithUser({ parentId: agency.orgId });
  const [bot] = await e2eSql()`insert into bots (organization_id, name, type) values (${sub.orgId}, 'Client Helper', 'language_model') returning id`;
  const [visitor] = await e2eSql()`insert into end_users (bot_id, external_id) values (${bot.id}, ${`visitor-${randomBytes(4).toString("hex")}`}) returning id`;
  await createEndUserPack(e2eDb(), { organizationId: sub.orgId, botId: bot.id, name: "100 credits", priceMinor: 500, currency: "usd", credits: Credits.of(100) });
  const token = signedLink(bot.id, visitor.id);

  await page.goto(`/b/${bot.id}?token=${token}`);
  await expect(page.getByRole("button", { name: "Buy 100 credits" })).toBeEnabled();

  await e2eSql()`update organizations set status = 'suspended' where id = ${sub.orgId}`;
  await page.reload();
  await expect(page.getByRole("heading", { name: "Buying credits is not available right now" })).toBeVisible();
  await expect(page.getByTestId("buying-unavailable")).toContainText("Client Helper is not selling credits at the moment");
  await expect(page.getByRole("button", { name: /Buy|Subscribe/ })).toHaveCount(0);
  await expect(page.getByText("Credits are used for AI answers in this bot.")).toBeVisible();
  await expectNoBannedWords(page);

  await page.getByRole("link", { name: "See your credits" }).click();
  await expect(page.getByRole("heading", { name: /Your credits in Client Helper/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "Buy credits" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Buying credits is not available right now" })).toBeVisible();
  await expectNoBannedWords(page);
});
