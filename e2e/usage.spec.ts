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
    // One chart at a time, behind tabs; the default split is by category.
    const tabs = page.getByRole("tablist", { name: "Credits per day" });
    await expect(tabs.getByRole("tab")).toHaveText(["By category", "By bot type", "By bot", "By pool"]); // no sub-account split for an owner org
    await expect(tabs.getByRole("tab", { name: "By category" })).toHaveAttribute("aria-selected", "true");
    const bars = (chart: string) => page.getByTestId(chart).locator(".recharts-bar-rectangle");
    await expect(bars("chart-category").first()).toBeVisible(); // drawn once the page is idle
    expect(await bars("chart-category").count()).toBeGreaterThan(10);
    const legendCategory = page.getByTestId("chart-category").getByTestId("chart-legend");
    for (const label of ["LLM", "WebSearch", "Code artifacts"]) await expect(legendCategory.getByText(label, { exact: true })).toBeVisible();
    await expect(page.getByRole("img", { name: /Credits per day by category: credits per day, stacked by LLM, WebSearch, Code artifacts/ })).toBeVisible();

    // keyboard: arrow keys move between the tabs and show that split
    await tabs.getByRole("tab", { name: "By category" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(tabs.getByRole("tab", { name: "By bot type" })).toBeFocused();
    await expect(tabs.getByRole("tab", { name: "By bot type" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("chart-category")).toHaveCount(0); // only one chart is mounted
    await expect(bars("chart-bot-type").first()).toBeVisible();
    expect(await bars("chart-bot-type").count()).toBeGreaterThan(10);
    const legendType = page.getByTestId("chart-bot-type").getByTestId("chart-legend");
    for (const label of ["Language model", "Coding"]) await expect(legendType.getByText(label, { exact: true })).toBeVisible();

    await tabs.getByRole("tab", { name: "By bot", exact: true }).click();
    for (const label of ["Helpdesk", "CodePilot"]) await expect(page.getByTestId("chart-bot").getByTestId("chart-legend").getByText(label, { exact: true })).toBeVisible();
    await page.keyboard.press("End");
    await expect(tabs.getByRole("tab", { name: "By pool" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("chart-pool").getByTestId("chart-legend").getByText("Owner cap", { exact: true })).toBeVisible();

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
    // An owner organization has no sub-accounts to split by: refused, not an empty split.
    for (const path of ["usage?days=30&split=sub_account", "usage/csv?days=30&split=sub_account", "usage?days=30&split=planet"]) {
      const res = await page.request.get(`/api/internal/orgs/${outsider.orgId}/${path}`);
      expect(res.status(), path).toBe(400);
      expect((await res.json()).errors[0].field).toBe("split");
    }
    const bad = await page.request.get(`/api/internal/orgs/${outsider.orgId}/usage?from=2026-05-10&to=2026-05-01`);
    expect(bad.status()).toBe(400);
    expect((await bad.json()).errors[0].field).toBe("from");
  });
});
