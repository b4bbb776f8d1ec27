import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { seedOrgWithUser } from "./support/env";
import { login } from "./support/login";
import { seedCreditOrg } from "./support/ledger";

// seedCreditOrg: every day 4 × 0.0042 LLM + 0.01 WebSearch in Helpdesk, 0.03 LLM + 0.02 Code artifacts in CodePilot = 0.0768 a day, 40 days.
test.describe("Usage & Reports", () => {
  test("charts for each split, range switching, averages per bot type and the CSV export", async ({ page }) => {
    const org = await seedCreditOrg({ orgName: "Usage Co", days: 40 });
    await login(page, org.email, org.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage & Reports" }).click();
    await expect(page.getByRole("heading", { name: "Usage & Reports" })).toBeVisible();

    await expect(page.getByTestId("total-charged")).toHaveText("2.304"); // 30 days
    for (const chart of ["chart-category", "chart-bot-type"]) {
      await page.getByTestId(chart).scrollIntoViewIfNeeded(); // charts load when they come into view
      await expect(page.getByTestId(chart).locator(".recharts-bar-rectangle").first()).toBeVisible();
      expect(await page.getByTestId(chart).locator(".recharts-bar-rectangle").count()).toBeGreaterThan(10);
    }
    const legendCategory = page.getByTestId("chart-category").locator(".recharts-legend-wrapper");
    for (const label of ["LLM", "WebSearch", "Code artifacts"]) await expect(legendCategory.getByText(label, { exact: true })).toBeVisible();
    const legendType = page.getByTestId("chart-bot-type").locator(".recharts-legend-wrapper");
    for (const label of ["Language model", "Coding"]) await expect(legendType.getByText(label, { exact: true })).toBeVisible();

    // Coding answers cost more, and it says so
    await expect(page.getByTestId("avg-language_model")).toHaveText("0.0067");
    await expect(page.getByTestId("avg-coding")).toHaveText("0.025");
    await expect(page.getByText(/A coding answer costs about 3\.7×/)).toBeVisible();
    await expect(page.getByRole("table", { name: "Usage by bot" }).getByRole("cell", { name: "CodePilot" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Usage by pool" }).getByRole("cell", { name: "Owner cap" })).toBeVisible();
    await expect(page.getByTestId("total-uncollected")).toHaveText("0");

    await page.getByRole("button", { name: "Last 7 days" }).click();
    await expect(page.getByTestId("total-charged")).toHaveText("0.5376");
    await page.getByRole("button", { name: "Last 90 days" }).click();
    await expect(page.getByTestId("total-charged")).toHaveText("3.072");

    await page.getByRole("button", { name: "Custom" }).click();
    const to = await page.getByLabel("To").inputValue();
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - 2 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("From").fill(from);
    await page.getByRole("button", { name: "Apply range" }).click();
    await expect(page.getByTestId("total-charged")).toHaveText("0.2304");

    await page.getByRole("button", { name: "Last 30 days" }).click();
    await expect(page.getByTestId("total-charged")).toHaveText("2.304");
    const downloadPromise = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^usage-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const lines = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("day,bot,bot_type,category,pool,events,charged_credits,uncollected_credits,cost_credits");
    expect(lines).toHaveLength(1 + 30 * 4); // 30 days × (Helpdesk LLM, Helpdesk WebSearch, CodePilot LLM, CodePilot code artifacts)
    expect(lines).toContain(`${to},Helpdesk,language_model,llm,owner,4,0.0168,0,0.0168`);
  });

  test("an organization without usage sees how to send its first event", async ({ page }) => {
    const user = await seedOrgWithUser({ orgName: "Quiet Co" });
    await login(page, user.email, user.password);
    await page.goto("/usage");
    await expect(page.getByText("No usage yet — here is how to send your first event")).toBeVisible();
    await expect(page.getByTestId("total-charged")).toHaveText("0");
  });

  test("a member of another organization gets 404 on this organization's report API", async ({ page }) => {
    const victim = await seedCreditOrg({ orgName: "Private Co", days: 2 });
    const outsider = await seedOrgWithUser({ orgName: "Outsider Co", role: "member" });
    await login(page, outsider.email, outsider.password);
    for (const path of ["usage?days=30", "usage/csv?days=30", "credit", "credit/batches", "calculator"]) {
      const res = await page.request.get(`/api/internal/orgs/${victim.orgId}/${path}`);
      expect(res.status(), path).toBe(404);
      expect(res.headers()["content-type"]).toContain("application/problem+json");
      expect(await res.text()).not.toContain("Private Co");
    }
    expect((await page.request.get(`/api/internal/orgs/${outsider.orgId}/usage?days=30`)).status()).toBe(200);
    const bad = await page.request.get(`/api/internal/orgs/${outsider.orgId}/usage?from=2026-05-10&to=2026-05-01`);
    expect(bad.status()).toBe(400);
    expect((await bad.json()).errors[0].field).toBe("from");
  });
});
