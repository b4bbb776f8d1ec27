import { expect, test } from "@playwright/test";
import { seedOrgWithUser } from "./support/env";
import { login } from "./support/login";
import { seedCreditOrg } from "./support/ledger";

test.describe("Credit calculator", () => {
  test("prefilled from the organization's own last 30 days, recomputed as the owner types", async ({ page }) => {
    const org = await seedCreditOrg({ orgName: "Calc Co", days: 40 });
    await login(page, org.email, org.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calculator" }).click();
    await expect(page.getByRole("heading", { name: "Credit calculator" })).toBeVisible();

    // Helpdesk did 4 LLM answers (0.0042) and 1 WebSearch (0.01) a day: 150 actions in 30 days
    await expect(page.getByLabel("Bot type")).toHaveValue("language_model");
    await expect(page.getByLabel(/^LLM/)).toHaveValue("80");
    await expect(page.getByLabel(/^WebSearch/)).toHaveValue("20");
    await expect(page.getByLabel("Conversations per month")).toHaveValue("38");
    await expect(page.getByLabel("Answers per conversation")).toHaveValue("4");
    await expect(page.getByTestId("calc-per-answer")).toHaveText("0.00536");
    await expect(page.getByText(/Prefilled from your own last 30 days/)).toBeVisible();

    await page.getByLabel("Conversations per month").fill("10000");
    await page.getByLabel("Answers per conversation").fill("5");
    await expect(page.getByTestId("calc-per-month")).toHaveText("268");
    // 268 × 1.2 = 321.6 needed, 154.8464 available → 166.75 → rounded up to 170
    await expect(page.getByTestId("calc-top-up")).toHaveText("170 credits");

    // Coding answers cost more: CodePilot's own averages (0.03 LLM, 0.02 code artifacts, half and half)
    await page.getByLabel("Bot type").selectOption("coding");
    await expect(page.getByLabel(/^Code artifacts/)).toHaveValue("50");
    await expect(page.getByTestId("calc-per-answer")).toHaveText("0.025");
    await expect(page.getByTestId("calc-per-month")).toHaveText("1,250");
  });

  test("without history it shows typical values and still computes", async ({ page }) => {
    const user = await seedOrgWithUser({ orgName: "New Calc Co" });
    await login(page, user.email, user.password);
    await page.goto("/calculator");
    await expect(page.getByText(/typical values are shown/)).toBeVisible();
    await expect(page.getByLabel("Conversations per month")).toHaveValue("1000");
    await expect(page.getByTestId("calc-per-month")).not.toHaveText("0");
  });
});
