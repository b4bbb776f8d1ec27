import { expect, type Page } from "@playwright/test";
import { e2eEnv } from "./env";

/** SPEC §10: words that must never appear on an end-user page. */
export const BANNED_WORDS = /wallet|withdraw|cash[\s-]?out|account money|e-money|deposit/i;

export async function expectNoBannedWords(page: Page) {
  const text = await page.locator("body").innerText();
  expect(text, `banned word on ${page.url()}`).not.toMatch(BANNED_WORDS);
}

/** Pays on the sandbox's hosted Checkout page. */
export async function payOnHostedPage(page: Page, card = "4242 4242 4242 4242", button: "Pay" | "Subscribe" | "Save" = "Pay") {
  await expect(page).toHaveURL(/\/c\/pay\/cs_/);
  const email = page.getByLabel("Email");
  if (!(await email.inputValue())) await email.fill("visitor@spec.test");
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiration date").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByLabel("Cardholder name").fill("Spec Visitor");
  await page.getByRole("button", { name: button, exact: true }).click();
}

export async function sandboxControl(path: string, body: unknown = {}) {
  const res = await fetch(`${e2eEnv().stripeSandboxUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** The demo owner's runtime key (seeded by scripts/e2e-server.ts). */
export function demoApiKey(): string {
  return (e2eEnv().demo as unknown as { apiKey: string }).apiKey;
}
