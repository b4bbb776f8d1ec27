import { expect, test } from "@playwright/test";
import { seedOrgWithUser } from "./support/env";
import { login } from "./support/login";
import { payOnHostedPage } from "./support/billing";

test("the owner buys a pack on Billing through the hosted checkout; the credits and the order appear", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Pack Buyer Co" });
  await login(page, user.email, user.password);
  await page.getByRole("link", { name: "Billing" }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByTestId("sandbox-banner")).toContainText("sandbox");
  const growth = page.getByTestId("pack-card").filter({ hasText: "Growth" });
  await expect(growth).toContainText("5,000 credits");
  await expect(growth).toContainText("+ 500 bonus credits");
  await expect(growth).toContainText("per credit");
  await growth.getByRole("button", { name: "Buy Growth" }).click();

  await payOnHostedPage(page);
  await expect(page).toHaveURL(/\/billing\/success\?session_id=cs_/);
  await expect(page.getByTestId("credits-received")).toContainText("5,500 credits");
  await expect(page.getByTestId("new-total")).toContainText("5,500");

  // Reloading the success page grants nothing more.
  await page.reload();
  await expect(page.getByTestId("new-total")).toContainText("5,500");

  await page.goto("/billing");
  const orders = page.getByRole("table", { name: "Orders" });
  await expect(orders).toContainText("Growth");
  await expect(orders).toContainText("Your organization");
  await expect(orders).toContainText("Paid");
  await expect(orders).toContainText("$45.00");
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
