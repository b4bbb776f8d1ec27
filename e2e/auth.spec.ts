import { expect, test } from "@playwright/test";
import { e2eEnv, e2eSql, seedOrgWithUser } from "./support/env";
import { login } from "./support/login";

test("an anonymous visitor of a dashboard page is sent to sign in, and comes back after", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Redirect Co" });
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
});

test("the demo owner signs in, sees the shell, and signs out", async ({ page }) => {
  await login(page, "owner@demo.test", "demo-password");
  await expect(page.getByRole("heading", { name: "My Credit" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Organization: Zeta Studio/ })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My Credit" })).toHaveAttribute("aria-current", "page");
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/credit");
  await expect(page).toHaveURL(/\/login/);
});

test("a wrong password shows an error and does not sign in", async ({ page }) => {
  const user = await seedOrgWithUser();
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("too many failed attempts lock the login, even with the right password", async ({ page }) => {
  const user = await seedOrgWithUser();
  await page.goto("/login");
  const failures = async () => (await e2eSql()`select count(*)::int as n from login_attempts where email = ${user.email} and not succeeded`)[0].n as number;
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(`wrong-${attempt}`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // The previous attempt's message is already on screen: wait until this attempt is on record.
    await expect.poll(failures).toBe(attempt + 1);
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  }
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText(/Too many sign-in attempts/);
  await expect(page).toHaveURL(/\/login/);
});

test("an agency admin switches into a sub-account and back", async ({ page }) => {
  const agency = await seedOrgWithUser({ orgName: "Switch Agency", kind: "agency" });
  const sub = await seedOrgWithUser({ orgName: "Switch Client", parentId: agency.orgId });
  await login(page, agency.email, agency.password);
  await expect(page.getByRole("button", { name: /Organization: Switch Agency/ })).toBeVisible();
  await page.getByRole("button", { name: /Organization: Switch Agency/ }).click();
  await page.getByRole("menuitem", { name: "Switch Client" }).click();
  await expect(page.getByRole("button", { name: /Organization: Switch Client/ })).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByText("Members of Switch Client")).toBeVisible();
  await expect(page.getByRole("cell", { name: sub.email })).toBeVisible();
  await page.getByRole("button", { name: /Organization: Switch Client/ }).click();
  await page.getByRole("menuitem", { name: "Switch Agency" }).click();
  await expect(page.getByRole("button", { name: /Organization: Switch Agency/ })).toBeVisible();
});

test("two tabs on two organizations: a form acts in the organization its tab shows, not the one switched to last", async ({ page, context }) => {
  const agency = await seedOrgWithUser({ orgName: "Tabs Agency", kind: "agency" });
  const sub = await seedOrgWithUser({ orgName: "Tabs Client", parentId: agency.orgId });
  await login(page, agency.email, agency.password);
  await page.goto("/bots");
  await expect(page.getByRole("button", { name: /Organization: Tabs Agency/ })).toBeVisible();

  // A second tab switches the session's organization to the sub-account.
  const other = await context.newPage();
  await other.goto("/bots");
  await other.getByRole("button", { name: /Organization: Tabs Agency/ }).click();
  await other.getByRole("menuitem", { name: "Tabs Client" }).click();
  await expect(other.getByRole("button", { name: /Organization: Tabs Client/ })).toBeVisible();

  // The first tab still shows the agency's form: the bot it creates is the agency's.
  await page.getByLabel("Bot name").fill("Made In Tab One");
  await page.getByRole("button", { name: "Create bot" }).click();
  await expect(page.getByText("Bot created", { exact: true })).toBeVisible();
  const rows = await e2eSql()`select organization_id from bots where name = 'Made In Tab One'`;
  expect(rows.map((r) => r.organization_id)).toEqual([agency.orgId]);
  expect(rows.map((r) => r.organization_id)).not.toContain(sub.orgId);
});

test("another organization's id is a 404, never its data", async ({ page }) => {
  const user = await seedOrgWithUser({ orgName: "Own Org" });
  await login(page, user.email, user.password);
  const own = await page.request.get(`/api/internal/orgs/${user.orgId}`);
  expect(own.status()).toBe(200);
  expect(await own.json()).toMatchObject({ id: user.orgId, name: "Own Org", role: "admin" });

  const foreign = await page.request.get(`/api/internal/orgs/${e2eEnv().demo.zetaStudioId}`);
  expect(foreign.status()).toBe(404);
  expect(foreign.headers()["content-type"]).toContain("application/problem+json");
  const body = await foreign.json();
  expect(body.code).toBe("not_found");
  expect(JSON.stringify(body)).not.toContain("Zeta");

  const garbage = await page.request.get(`/api/internal/orgs/not-a-uuid`);
  expect(garbage.status()).toBe(404);
});

test("a sub-account user cannot see the agency or sibling sub-accounts", async ({ page }) => {
  await login(page, "sub@demo.test", "demo-password");
  const { demo } = e2eEnv();
  expect((await page.request.get(`/api/internal/orgs/${demo.northwindId}`)).status()).toBe(404);
  expect((await page.request.get(`/api/internal/orgs/${demo.subAccountIds[1]}`)).status()).toBe(404);
  expect((await page.request.get(`/api/internal/orgs/${demo.subAccountIds[0]}`)).status()).toBe(200);
});
