import { expect, test } from "@playwright/test";
import { e2eSql, seedOrgWithUser } from "./support/env";
import { e2eDb } from "./support/ledger";
import { login } from "./support/login";
import { payOnHostedPage } from "./support/billing";
import { Credits, getOrCreateOrgAccount, grantBatch } from "../lib/ledger";
import { createApiKey } from "../lib/metering/api-keys";

// Both tests touch the platform-wide minimums: run them one after the other.
test.describe.configure({ mode: "serial" });

test("the owner sets up auto-recharge with a card, drains credits through the API, and sees the recharge batch, the invoice and the notification", async ({ page, request }) => {
  const user = await seedOrgWithUser({ orgName: "Recharge Co" });
  const [bot] = await e2eSql()`insert into bots (organization_id, name, type) values (${user.orgId}, 'Recharge Bot', 'language_model') returning id`;
  const account = await getOrCreateOrgAccount(e2eDb(), user.orgId);
  await grantBatch(e2eDb(), { accountId: account.id, type: "paid", source: "top_up", amount: Credits.parse("300") });
  const key = (await createApiKey(e2eDb(), { organizationId: user.orgId, name: "runtime" })).plaintext;

  await login(page, user.email, user.password);
  await page.goto("/billing");
  const settings = page.getByRole("form", { name: "Auto-recharge settings" });
  // No card yet: turning it on is refused with a clear message.
  await settings.getByLabel("Recharge automatically when credits run low").check();
  await settings.getByRole("button", { name: "Save auto-recharge" }).click();
  await expect(settings.getByRole("alert")).toContainText("Add a card before turning auto-recharge on");

  await page.getByRole("button", { name: "Add card" }).click();
  await payOnHostedPage(page, "4242 4242 4242 4242", "Save");
  await expect(page).toHaveURL(/\/billing\?card_session=cs_/);
  await expect(page.getByText("Card ending in 4242 saved for auto-recharge.")).toBeVisible();
  await expect(page.getByTestId("recharge-card")).toContainText("VISA •••• 4242");

  // Under the minimum: refused, naming the field.
  await settings.getByLabel("Top-up amount (credits)").fill("100");
  await settings.getByLabel("Recharge automatically when credits run low").check();
  await settings.getByRole("button", { name: "Save auto-recharge" }).click();
  await expect(settings.getByText("Top-up amount must be at least 250 credits")).toBeVisible();

  await settings.getByLabel("Top-up amount (credits)").fill("250");
  await settings.getByLabel("Recharge when available credits fall below").fill("100");
  await settings.getByRole("button", { name: "Save auto-recharge" }).click();
  await expect(page.getByText("Auto-recharge saved", { exact: true })).toBeVisible();

  // The runtime spends 240 of 300 credits: available falls to 60, below 100.
  const spend = await request.post("/api/v1/usage-events", {
    headers: { authorization: `Bearer ${key}` },
    data: { bot_id: bot.id, actor: "operator", category: "llm", model_tier: "large", output_tokens: 4_000_000 },
  });
  expect(spend.status()).toBe(201);
  expect((await spend.json()).charged).toBe("240");

  await expect
    .poll(async () => {
      const balance = await (await request.get("/api/v1/balance", { headers: { authorization: `Bearer ${key}` } })).json();
      return balance.available;
    })
    .toBe("310");
  const balance = await (await request.get("/api/v1/balance", { headers: { authorization: `Bearer ${key}` } })).json();
  expect(balance.batches.filter((b: { source: string }) => b.source === "auto_recharge")).toEqual([expect.objectContaining({ type: "paid", amount: "250", remaining: "250" })]);

  await page.goto("/billing");
  const invoices = page.getByRole("table", { name: "Invoices" });
  await expect(invoices).toContainText("Auto-recharge");
  await expect(invoices).toContainText("250");
  await expect(invoices).toContainText("$250.00");
  const pdf = await request.get((await invoices.getByRole("link", { name: /Invoice PDF/ }).first().getAttribute("href"))!);
  expect((await pdf.body()).subarray(0, 4).toString()).toBe("%PDF");

  await page.goto("/notifications");
  await expect(page.getByRole("list", { name: "Notifications" }).getByText("Auto-recharge: 250 credits added")).toBeVisible();
  // The invoice email (kept in the outbox: no SMTP here) carries the PDF link.
  await page.getByText("Auto-recharge: 250 credits added", { exact: true }).last().click();
  await expect(page.getByRole("link", { name: "Invoice (PDF)" })).toBeVisible();
});

test("the platform admin raises the minimum top-up; an owner's lower value is then refused", async ({ page }) => {
  const admin = await seedOrgWithUser({ orgName: "Platform Ops" });
  await e2eSql()`update users set is_platform_admin = true where id = ${admin.userId}`;
  await login(page, admin.email, admin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Platform settings" }).click();
  const policy = page.getByRole("form", { name: "Auto-recharge policy" });
  await expect(policy.getByLabel("Minimum top-up amount (credits)")).toHaveValue("250");
  await policy.getByLabel("Minimum top-up amount (credits)").fill("300");
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText("Platform settings saved", { exact: true })).toBeVisible();

  try {
    await page.goto("/billing");
    const settings = page.getByRole("form", { name: "Auto-recharge settings" });
    await settings.getByLabel("Top-up amount (credits)").fill("250");
    await settings.getByRole("button", { name: "Save auto-recharge" }).click();
    await expect(settings.getByText("Top-up amount must be at least 300 credits")).toBeVisible();
  } finally {
    await e2eSql()`update platform_settings set min_top_up_amount = 250000000 where id = 1`;
  }
});
