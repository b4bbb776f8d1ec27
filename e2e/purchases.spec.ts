import { expect, test } from "@playwright/test";
import { e2eSql, seedOrgWithUser } from "./support/env";
import { login } from "./support/login";
import { payOnHostedPage } from "./support/billing";

test("the owner buys a pack on Billing through the hosted checkout; the credits and the order appear", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Pack Buyer Co" });
  await login(page, user.email, user.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Billing" }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByTestId("sandbox-banner")).toContainText("sandbox");
  const growth = page.getByTestId("pack-card").filter({ hasText: "Growth" });
  await expect(growth).toContainText("500 credits");
  await expect(growth).toContainText("+ 50 bonus credits");
  await expect(growth).toContainText("per credit");
  await growth.getByRole("button", { name: "Buy Growth" }).click();

  await payOnHostedPage(page);
  await expect(page).toHaveURL(/\/billing\/success\?session_id=cs_/);
  await expect(page.getByTestId("credits-received")).toContainText("550 credits");
  await expect(page.getByTestId("new-total")).toContainText("550");

  // Reloading the success page grants nothing more.
  await page.reload();
  await expect(page.getByTestId("new-total")).toContainText("550");

  await page.goto("/billing");
  const orders = page.getByRole("table", { name: "Orders" });
  await expect(orders).toContainText("Growth");
  await expect(orders).toContainText("Your organization");
  await expect(orders).toContainText("Paid");
  await expect(orders).toContainText("$475.00");
});

test("a canceled checkout on Billing charges nothing", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Pack Canceler Co" });
  await login(page, user.email, user.password);
  await page.goto("/billing");
  await page.getByRole("button", { name: "Buy Starter" }).click();
  await expect(page).toHaveURL(/\/c\/pay\/cs_/);
  await page.getByRole("link", { name: /cancel/i }).click();
  await expect(page).toHaveURL(/\/billing\?canceled=1/);
  await expect(page.getByText("Checkout was canceled. Nothing was charged.")).toBeVisible();
  await expect(page.getByRole("table", { name: "Orders" })).toContainText("Awaiting payment");
});

test("on a bot's page the owner creates an end-user pack, sees the end users and gives one promotional credits", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Promo Co" });
  const [bot] = await e2eSql()`insert into bots (organization_id, name, type) values (${user.orgId}, 'Promo Bot', 'language_model') returning id`;
  await e2eSql()`insert into end_users (bot_id, external_id) values (${bot.id}, 'visitor-42')`;
  await login(page, user.email, user.password);
  await page.goto("/bots");
  await page.getByRole("link", { name: "End-user packs, plans and end users of Promo Bot" }).click();
  await expect(page.getByRole("heading", { name: "Promo Bot" })).toBeVisible();

  const packForm = page.getByRole("form", { name: "New credit pack" });
  await packForm.getByLabel("Pack name").fill("Starter 200");
  await packForm.getByLabel("Credits", { exact: true }).fill("200");
  await packForm.getByLabel("Price").fill("8");
  await packForm.getByLabel("Bonus credits (optional)").fill("20");
  await packForm.getByLabel("Bonus expires after (days)").fill("14");
  await packForm.getByRole("button", { name: "Create pack" }).click();
  const packs = page.getByRole("table", { name: "End-user credit packs" });
  await expect(packs).toContainText("Starter 200");
  await expect(packs).toContainText("$8.00");
  await expect(packs).toContainText("$0.04");

  const planForm = page.getByRole("form", { name: "New plan" });
  await planForm.getByLabel("Plan name").fill("Weekly");
  await planForm.getByLabel("Credits per period").fill("0");
  await planForm.getByLabel("Price per period").fill("3");
  await planForm.getByRole("button", { name: "Create plan" }).click();
  await expect(planForm.getByRole("alert")).toContainText("at least 1 credit");

  const row = page.getByTestId("end-user-row").filter({ hasText: "visitor-42" });
  await expect(row).toContainText("0");
  await row.getByRole("button", { name: "Give credits to visitor-42" }).click();
  await row.getByLabel("Credits", { exact: true }).fill("25");
  await row.getByRole("button", { name: "Give", exact: true }).click();
  await expect(page.getByTestId("end-user-row").filter({ hasText: "visitor-42" })).toContainText("25");
  const [batch] = await e2eSql()`select b.type, b.source, b.expires_at from batches b join accounts a on a.id = b.account_id join end_users e on e.id = a.end_user_id where e.external_id = 'visitor-42' and e.bot_id = ${bot.id}`;
  expect(batch.type).toBe("free");
  expect(batch.source).toBe("promo");
  expect(batch.expires_at).not.toBeNull();
  const owner = await e2eSql()`select count(*)::int as n from batches b join accounts a on a.id = b.account_id where a.organization_id = ${user.orgId} and a.kind = 'organization'`;
  expect(owner[0]?.n ?? 0).toBe(0);
});
