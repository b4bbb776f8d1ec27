import { expect, test } from "@playwright/test";
import { e2eSql, seedOrgWithUser } from "./support/env";
import { login } from "./support/login";

test("an admin creates an API key, sees it once, uses it, and revokes it", async ({ page, request }) => {
  const user = await seedOrgWithUser({ orgName: "Key Co" });
  await e2eSql()`insert into bots (organization_id, name, type) values (${user.orgId}, 'Key Bot', 'language_model')`;
  await login(page, user.email, user.password);
  await page.goto("/settings");
  await page.getByLabel("New key name").fill("Production runtime");
  await page.getByRole("button", { name: "Create API key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^cdk_[a-z0-9]{8}_/);
  await expect(page.getByRole("cell", { name: "Production runtime", exact: true })).toBeVisible();

  const bots = await request.get("/api/v1/bots", { headers: { authorization: `Bearer ${key}` } });
  expect(bots.status()).toBe(200);
  expect((await bots.json()).data).toEqual([expect.objectContaining({ name: "Key Bot", type: "language_model" })]);

  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0); // shown once only
  await expect(page.getByRole("cell", { name: "Never" })).toHaveCount(0); // last used is recorded
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Revoke Production runtime" }).click();
  await expect(page.getByText("Revoked", { exact: true }).first()).toBeVisible();
  const after = await request.get("/api/v1/bots", { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
});

test("a member sees API keys but cannot create them", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Member Co", role: "member" });
  await login(page, user.email, user.password);
  await page.goto("/settings");
  await expect(page.getByText("Only admins can create or revoke keys.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create API key" })).toHaveCount(0);
});

test("an owner creates a coding bot and sets a free reserve; a bad value is refused with a message", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Bot Co" });
  await login(page, user.email, user.password);
  await page.goto("/bots");
  await expect(page.getByText(/No bots yet/)).toBeVisible();
  await page.getByLabel("Bot name").fill("Builder");
  await page.getByLabel("Bot type").selectOption("coding");
  await page.getByRole("button", { name: "Create bot" }).click();
  const card = page.getByRole("heading", { name: "Builder" });
  await expect(card).toBeVisible();
  await expect(page.getByLabel("Builder").getByText("Coding", { exact: true })).toBeVisible();

  const form = page.getByRole("form", { name: "Free reserve of Builder" });
  await form.getByLabel("Free credits per month").fill("1.1234567");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("alert")).toContainText("at most 6 decimals");

  await form.getByLabel("Free credits per month").fill("25.5");
  await form.getByLabel("Free answers per visitor per day").fill("10");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Free reserve of Builder saved", { exact: true })).toBeVisible();
  const [row] = await e2eSql()`select free_reserve_per_period::text as reserve, free_answers_per_visitor_per_day as answers from bots where organization_id = ${user.orgId}`;
  expect(row).toEqual({ reserve: "25500000", answers: 10 });
});

test("the platform admin publishes a new rate card version; others get a 404", async ({ page }) => {
  const admin = await seedOrgWithUser({ orgName: "Platform" });
  await e2eSql()`update users set is_platform_admin = true where id = ${admin.userId}`;
  await login(page, admin.email, admin.password);
  await page.goto("/admin/rate-card");
  await expect(page.getByRole("heading", { name: "Rate card" })).toBeVisible();
  await page.getByLabel("WebSearch · per search (credits)").fill("0.012");
  await page.getByLabel("Note").fill("Search provider raised prices");
  await page.getByRole("button", { name: "Publish as a new version" }).click();
  await expect(page.getByText(/^Rate card version \d+ published$/)).toBeVisible();
  await page.reload();
  await expect(page.getByRole("cell", { name: "Search provider raised prices" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "0.012", exact: true })).toBeVisible();

  const owner = await seedOrgWithUser({ orgName: "Not admin" });
  await page.context().clearCookies();
  await login(page, owner.email, owner.password);
  const response = await page.goto("/admin/rate-card");
  expect(response?.status()).toBe(404);
});
