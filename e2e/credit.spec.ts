import { expect, test } from "@playwright/test";
import { formatCredits } from "../lib/format";
import { login } from "./support/login";
import { seedCreditOrg } from "./support/ledger";

test.describe("My Credit and Active Credits", () => {
  test("My Credit shows what GET /api/v1/balance returns", async ({ page, request }) => {
    const org = await seedCreditOrg({ orgName: "Credit Numbers Co" });
    await login(page, org.email, org.password);
    await expect(page.getByRole("heading", { name: "My Credit" })).toBeVisible();
    await expect(page.getByTestId("credit-available")).toBeVisible();

    const res = await request.get("/api/v1/balance", { headers: { authorization: `Bearer ${org.apiKey}` } });
    expect(res.status()).toBe(200);
    const api = await res.json();
    await expect(page.getByTestId("credit-available")).toHaveText(formatCredits(api.available));
    await expect(page.getByTestId("credit-held")).toHaveText(formatCredits(api.held));
    await expect(page.getByTestId("credit-balance")).toHaveText(formatCredits(api.balance));
    await expect(page.getByTestId("credit-free")).toHaveText(formatCredits(api.free.available));
    await expect(page.getByTestId("credit-paid")).toHaveText(formatCredits(api.paid.available));
    // the expired promo never counts
    expect(Number(api.available)).toBeLessThan(155);

    // 0.0768 a day of usage → burn rate and runway
    await expect(page.getByTestId("burn-per-day")).toHaveText("0.0768");
    await expect(page.getByTestId("runway")).toContainText(/Runway: about \d+ days/);
    await expect(page.getByText("Auto-recharge: not set up")).toBeVisible();
    await expect(page.getByRole("list", { name: "Recent activity" }).getByText(/^Answer in (Helpdesk|CodePilot) · (LLM|WebSearch|Code artifacts)/).first()).toBeVisible();
  });

  test("the Active Credits modal opens by button and by URL, in consumption order, with the expired batch behind the toggle", async ({ page }) => {
    const org = await seedCreditOrg({ orgName: "Batches Co", days: 3 });
    await login(page, org.email, org.password);
    await page.getByRole("link", { name: "View active credits" }).click();
    await expect(page).toHaveURL(/\/credit\/active$/);
    const dialog = page.getByRole("dialog", { name: "Active Credits" });
    await expect(dialog).toBeVisible();
    for (const column of ["Credit Allocated", "Added Date", "Remaining Balance", "Credit Type", "Expiry Date", "Source"]) {
      await expect(dialog.getByRole("columnheader", { name: column })).toBeVisible();
    }
    const rows = dialog.getByRole("table").getByRole("row");
    await expect(rows).toHaveCount(4); // header + 3 live batches
    // Free before Paid, soonest expiry first, no expiry last
    await expect(rows.nth(1)).toContainText("Signup bonus");
    await expect(rows.nth(1)).toContainText("Free");
    await expect(rows.nth(1)).toContainText("expires in 3 days");
    await expect(rows.nth(1)).toContainText("Spent next");
    await expect(rows.nth(2)).toContainText("Plan");
    await expect(rows.nth(3)).toContainText("Top-up");
    await expect(rows.nth(3)).toContainText("No expiry");
    await expect(dialog.getByText("Promo")).toHaveCount(0);

    await dialog.getByLabel(/Show expired and empty batches/).check();
    await expect(rows).toHaveCount(5);
    await expect(rows.nth(4)).toContainText("Promo");
    await expect(rows.nth(4)).toContainText("Expired");

    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(page).toHaveURL(/\/credit$/);
    await expect(page.getByRole("heading", { name: "My Credit" })).toBeVisible();

    // Its own URL: a direct load is a full page with the same table
    await page.goto("/credit/active");
    await expect(page.getByRole("heading", { level: 1, name: "Active Credits" })).toBeVisible();
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(4);
    await expect(page.getByRole("table").getByRole("row").nth(1)).toContainText("Signup bonus");
  });
});
