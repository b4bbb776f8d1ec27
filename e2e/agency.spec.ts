import { expect, test } from "@playwright/test";
import { Credits, getOrCreateOrgAccount, grantBatch } from "../lib/ledger";
import { seedOrgWithUser, uniqueEmail } from "./support/env";
import { e2eDb } from "./support/ledger";
import { payOnHostedPage } from "./support/billing";
import { login } from "./support/login";

/** An agency with 100 Paid credits in its pool and two sub-accounts (each with its own admin user). */
async function seedAgency(tag: string) {
  const agency = await seedOrgWithUser({ orgName: `${tag} Agency`, kind: "agency" });
  const sub = await seedOrgWithUser({ orgName: `${tag} Client`, parentId: agency.orgId });
  const sibling = await seedOrgWithUser({ orgName: `${tag} Sibling`, parentId: agency.orgId });
  const pool = await getOrCreateOrgAccount(e2eDb(), agency.orgId);
  await grantBatch(e2eDb(), { accountId: pool.id, type: "paid", source: "top_up", amount: Credits.parse("100") });
  return { agency, sub, sibling };
}

async function switchTo(page: import("@playwright/test").Page, from: string, to: string) {
  await page.getByRole("button", { name: new RegExp(`Organization: ${from}`) }).click();
  await page.getByRole("menuitem", { name: to }).click();
  await expect(page.getByRole("button", { name: new RegExp(`Organization: ${to}`) })).toBeVisible();
}

test.describe("Agency sub-accounts", () => {
  test("the agency admin assigns credits, switches into the sub-account and sees them, then reclaims part", async ({ page }) => {
    const { agency, sub } = await seedAgency("Assign");
    await login(page, agency.email, agency.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sub-accounts" }).click();
    await expect(page.getByRole("heading", { name: "Sub-accounts" })).toBeVisible();
    await expect(page.getByTestId("agency-available")).toHaveText("100");
    const row = page.getByTestId(`sub-account-${sub.orgId}`);
    await expect(row.getByText("Out of credits")).toBeVisible();

    // assign 30 (keeps the source's type: Paid)
    await row.getByRole("button", { name: `Assign credits to ${sub.orgName}` }).click();
    const assign = page.getByRole("dialog", { name: `Assign credits to ${sub.orgName}` });
    await assign.getByLabel("Credits").fill("30");
    await assign.getByRole("button", { name: "Assign credits" }).click();
    await expect(page.getByText(`Assigned 30 credits to ${sub.orgName}`, { exact: true })).toBeVisible();
    await expect(row.getByTestId("sub-balance")).toHaveText("30");
    await expect(row.getByText("Active")).toBeVisible();
    await expect(page.getByTestId("agency-available")).toHaveText("70");

    // too much → a clear error in the form, nothing moves
    await row.getByRole("button", { name: `Assign credits to ${sub.orgName}` }).click();
    await assign.getByLabel("Credits").fill("500");
    await assign.getByRole("button", { name: "Assign credits" }).click();
    await expect(assign.getByRole("alert")).toContainText(/Insufficient credits/);
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("agency-available")).toHaveText("70");

    // the sub-account sees its 30 credits
    await switchTo(page, agency.orgName, sub.orgName);
    await expect(page.getByTestId("credit-available")).toHaveText("30");
    await expect(page.getByTestId("credit-paid")).toHaveText("30");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sub-accounts" })).toHaveCount(0);

    // back in the agency: reclaim 12
    await switchTo(page, sub.orgName, agency.orgName);
    await page.goto("/sub-accounts");
    await row.getByRole("button", { name: `Reclaim credits from ${sub.orgName}` }).click();
    const reclaim = page.getByRole("dialog", { name: `Reclaim credits from ${sub.orgName}` });
    await reclaim.getByLabel("Credits").fill("12");
    await reclaim.getByRole("button", { name: "Reclaim credits" }).click();
    await expect(page.getByText(`Reclaimed 12 credits from ${sub.orgName}`, { exact: true })).toBeVisible();
    await expect(row.getByTestId("sub-balance")).toHaveText("18");
    await expect(page.getByTestId("agency-available")).toHaveText("82");

    // drill-down: both transfers and their audit rows
    await row.getByRole("link", { name: sub.orgName }).click();
    await expect(page.getByRole("heading", { level: 1, name: sub.orgName })).toBeVisible();
    await expect(page.getByTestId("detail-balance")).toHaveText("18");
    const transfers = page.getByRole("list", { name: "Assignments and reclaims" }).getByRole("listitem");
    await expect(transfers).toHaveCount(2);
    await expect(transfers.nth(0)).toContainText("Reclaimed");
    await expect(transfers.nth(0)).toContainText("−12");
    await expect(transfers.nth(1)).toContainText("+30");
    await expect(page.getByRole("list", { name: "Audit log" })).toContainText("Credits assigned 30 credits");

    // the sub-account's own activity shows both movements
    await switchTo(page, agency.orgName, sub.orgName);
    const activity = page.getByRole("list", { name: "Recent activity" });
    await expect(activity).toContainText("credits received from your agency");
    await expect(activity).toContainText("credits reclaimed by your agency");
  });

  test("invite a sub-account user: they sign in and see only that sub-account", async ({ page, browser }) => {
    const { agency, sub, sibling } = await seedAgency("Invite");
    await login(page, agency.email, agency.password);
    await page.goto(`/sub-accounts/${sub.orgId}`);
    const email = uniqueEmail("invited");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Invite user" }).click();
    const password = (await page.getByTestId("temporary-password").textContent())!.trim();
    await expect(page.getByRole("list", { name: "Users" })).toContainText(email);

    const other = await browser.newContext();
    const p2 = await other.newPage();
    await login(p2, email, password);
    await expect(p2.getByRole("button", { name: new RegExp(`Organization: ${sub.orgName}`) })).toBeVisible();
    await p2.getByRole("button", { name: new RegExp(`Organization: ${sub.orgName}`) }).click();
    await expect(p2.getByRole("menuitem", { name: sibling.orgName })).toHaveCount(0);
    await expect(p2.getByRole("menuitem", { name: agency.orgName })).toHaveCount(0);
    await other.close();
  });

  test("a sub-account user cannot assign, see siblings or the agency's pool (server-enforced)", async ({ page }) => {
    const { agency, sub, sibling } = await seedAgency("Guard");
    await login(page, sub.email, sub.password);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sub-accounts" })).toHaveCount(0);
    await page.goto("/sub-accounts");
    await expect(page.getByText(/Sub-accounts are managed by an agency/)).toBeVisible();
    expect((await page.request.get(`/api/internal/orgs/${sub.orgId}/sub-accounts`)).status()).toBe(403);
    expect((await page.request.get(`/api/internal/orgs/${agency.orgId}/sub-accounts`)).status()).toBe(404);
    expect((await page.request.get(`/api/internal/orgs/${agency.orgId}/credit`)).status()).toBe(404);
    expect((await page.request.get(`/api/internal/orgs/${sibling.orgId}/credit`)).status()).toBe(404);
    expect((await page.request.get(`/api/internal/orgs/${agency.orgId}/sub-accounts/${sibling.orgId}`)).status()).toBe(404);
    const detail = await page.goto(`/sub-accounts/${sibling.orgId}`);
    expect(detail?.status()).toBe(404);
  });
});

test.describe("Agency pricing", () => {
  test("the agency prices a pack; a sub-account user buys it through the sandbox checkout; the order shows for both", async ({ page, browser }) => {
    const { agency, sub } = await seedAgency("Pricing");
    await login(page, agency.email, agency.password);
    await page.goto("/sub-accounts");
    await page.getByRole("link", { name: "Pricing for sub-accounts" }).click();
    await expect(page.getByRole("heading", { name: "Pricing for sub-accounts" })).toBeVisible();
    await page.getByLabel("Pack name").fill("Client Pack 50");
    await page.getByLabel("Credits", { exact: true }).fill("50");
    await page.getByLabel("Price", { exact: true }).fill("19");
    await page.getByRole("button", { name: "Add pack" }).click();
    await expect(page.getByRole("table", { name: "Agency packs" })).toContainText("Client Pack 50");
    await expect(page.getByRole("table", { name: "Agency packs" })).toContainText("$19.00");

    const ctx = await browser.newContext();
    const buyer = await ctx.newPage();
    await login(buyer, sub.email, sub.password);
    await buyer.goto("/billing");
    const card = buyer.getByTestId("pack-card").filter({ hasText: "Client Pack 50" });
    await expect(card).toContainText("50 credits");
    await card.getByRole("button", { name: "Buy Client Pack 50" }).click();
    await payOnHostedPage(buyer);
    await expect(buyer).toHaveURL(/\/billing\/success\?session_id=cs_/);
    await expect(buyer.getByTestId("credits-received")).toContainText("50 credits");
    await buyer.goto("/billing");
    await expect(buyer.getByRole("table", { name: "Orders" })).toContainText("Client Pack 50");
    await expect(buyer.getByRole("table", { name: "Orders" })).toContainText("Paid");
    await ctx.close();

    await page.reload();
    const sales = page.getByRole("table", { name: "Sales to sub-accounts" });
    await expect(sales).toContainText(sub.orgName);
    await expect(sales).toContainText("Client Pack 50");
    await expect(sales).toContainText("Paid");
    await page.goto("/sub-accounts");
    await expect(page.getByTestId(`sub-account-${sub.orgId}`).getByTestId("sub-balance")).toHaveText("50");
  });
});
