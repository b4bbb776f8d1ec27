import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { Credits, debitMany, getOrCreateOrgAccount, grantBatch } from "../lib/ledger";
import { e2eSql, seedOrgWithUser } from "./support/env";
import { e2eDb } from "./support/ledger";
import { login } from "./support/login";

const DAY = 86_400_000;
type Event = ["language_model" | "coding", "llm" | "web_search" | "code_artifact", string];

/** `days` days of usage in a sub-account, through the ledger's bulk verb: every day the given events. */
async function seedUsage(orgId: string, perDay: Event[], days = 10) {
  const bots = await e2eSql()`insert into bots (organization_id, name, type) values (${orgId}, 'Chat', 'language_model'), (${orgId}, 'Coder', 'coding') returning id, type`;
  const db = e2eDb();
  const accountId = (await getOrCreateOrgAccount(db, orgId)).id;
  const now = Date.now();
  await grantBatch(db, { accountId, type: "paid", source: "assignment", amount: Credits.parse("100"), now: new Date(now - (days + 5) * DAY) });
  for (let d = days - 1; d >= 0; d--) {
    const occurredAt = new Date(now - d * DAY - 60_000);
    const results = await debitMany(
      db,
      perDay.map(([type, category, amount]) => ({ accountId, amount: Credits.parse(amount), botId: bots.find((b) => b.type === type)!.id as string, category, occurredAt })),
      { now: occurredAt },
    );
    for (const r of results) if (r instanceof Error) throw r;
  }
}

/**
 * An agency with two sub-accounts: Alpha runs a language-model bot (0.04 a day: 3 LLM answers + 1 search),
 * Beta a chat and a coding bot (0.2 a day: 0.1 LLM in Chat, 0.05 LLM + 0.05 code artifact in Coder). 10 days.
 */
async function seedAgencyWithUsage(tag: string) {
  const agency = await seedOrgWithUser({ orgName: `${tag} Agency`, kind: "agency" });
  const alpha = await seedOrgWithUser({ orgName: `${tag} Alpha`, parentId: agency.orgId });
  const beta = await seedOrgWithUser({ orgName: `${tag} Beta`, parentId: agency.orgId });
  await seedUsage(alpha.orgId, [["language_model", "llm", "0.01"], ["language_model", "llm", "0.01"], ["language_model", "llm", "0.01"], ["language_model", "web_search", "0.01"]]);
  await seedUsage(beta.orgId, [["language_model", "llm", "0.1"], ["coding", "llm", "0.05"], ["coding", "code_artifact", "0.05"]]);
  return { agency, alpha, beta };
}

test.describe("Usage & Reports by sub-account (agency)", () => {
  test("the agency admin splits by sub-account: a stacked chart and each sub-account's mix; the CSV has the sub-account", async ({ page }) => {
    const { agency, alpha, beta } = await seedAgencyWithUsage("Roll-up");
    await login(page, agency.email, agency.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage & Reports" }).click();
    await expect(page.getByRole("heading", { name: "Usage & Reports" })).toBeVisible();
    await expect(page.getByTestId("total-charged")).toHaveText("0"); // the agency's own usage: none

    await page.getByRole("tablist", { name: "Credits per day" }).getByRole("tab", { name: "By sub-account" }).click();
    const panel = page.getByTestId("chart-sub-account");
    await expect(panel.locator(".recharts-bar-rectangle").first()).toBeVisible();
    expect(await panel.locator(".recharts-bar-rectangle").count()).toBeGreaterThanOrEqual(10);
    for (const name of [alpha.orgName, beta.orgName]) await expect(panel.getByTestId("chart-legend").getByText(name, { exact: true })).toBeVisible();

    const table = page.getByRole("table", { name: "Usage by sub-account" });
    const betaRow = table.getByTestId(`sub-account-${beta.orgId}`);
    await expect(betaRow).toContainText(beta.orgName);
    await expect(betaRow.getByRole("cell").nth(1)).toHaveText("2");
    await expect(betaRow).toContainText("LLM 75% · Code artifacts 25%");
    await expect(betaRow).toContainText("Language model 50% · Coding 50%");
    const alphaRow = table.getByTestId(`sub-account-${alpha.orgId}`);
    await expect(alphaRow.getByRole("cell").nth(1)).toHaveText("0.4");
    await expect(alphaRow).toContainText("LLM 75% · WebSearch 25%");
    await expect(alphaRow).toContainText("Language model 100%");
    await expect(table.getByRole("row")).toHaveCount(1 + 2 + 1); // header, the two sub-accounts, the total
    await expect(page.getByTestId("sub-accounts-total")).toHaveText("2.4");

    const downloadPromise = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV by sub-account" }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^usage-by-sub-account-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const lines = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("day,sub_account,bot,bot_type,category,pool,events,charged_credits,uncollected_credits,cost_credits");
    expect(lines).toHaveLength(1 + 10 * (2 + 3)); // 10 days × (Alpha: Chat llm, Chat web_search; Beta: Chat llm, Coder llm, Coder code_artifact)
    expect(new Set(lines.slice(1).map((l) => l.split(",")[1]))).toEqual(new Set([alpha.orgName, beta.orgName]));

    // Working inside a sub-account, the agency admin's request for the split is a mistake in the request (400), not a missing org.
    for (const path of ["usage?days=30&split=sub_account", "usage/csv?days=30&split=sub_account"]) {
      const inside = await page.request.get(`/api/internal/orgs/${alpha.orgId}/${path}`);
      expect(inside.status(), path).toBe(400);
      const body = await inside.json();
      expect(body.errors[0].field).toBe("split");
      expect(JSON.stringify(body)).not.toContain(beta.orgName);
    }
  });

  test("a sub-account sees only its own report; its request for the split is refused", async ({ page }) => {
    const { agency, alpha, beta } = await seedAgencyWithUsage("Refused");
    await login(page, alpha.email, alpha.password);
    await page.goto("/usage");
    await expect(page.getByTestId("total-charged")).toHaveText("0.4");
    await expect(page.getByRole("tablist", { name: "Credits per day" }).getByRole("tab")).toHaveText(["By category", "By bot type", "By bot", "By pool"]);
    await expect(page.getByText(beta.orgName)).toHaveCount(0);

    for (const path of ["usage?days=30&split=sub_account", "usage/csv?days=30&split=sub_account"]) {
      const own = await page.request.get(`/api/internal/orgs/${alpha.orgId}/${path}`);
      expect(own.status(), path).toBe(400);
      expect((await own.json()).errors[0].field).toBe("split");
      const viaAgency = await page.request.get(`/api/internal/orgs/${agency.orgId}/${path}`);
      expect(viaAgency.status(), path).toBe(404);
      const body = await viaAgency.text();
      expect(body).not.toContain(beta.orgName);
      expect(body).not.toContain(agency.orgName);
    }
    // Nor a sibling's report.
    expect((await page.request.get(`/api/internal/orgs/${beta.orgId}/usage?days=30`)).status()).toBe(404);
  });
});
