import { afterEach, describe, expect, it } from "vitest";
import { startStripeSandbox } from "@/scripts/stripe-sandbox/server";
import { createStripeClient, DEFAULT_SANDBOX_URL, getStripe, isSandbox, sandboxUrl } from "./stripe";

const saved = { key: process.env.STRIPE_SECRET_KEY, url: process.env.STRIPE_SANDBOX_URL };
afterEach(() => {
  for (const [name, value] of [["STRIPE_SECRET_KEY", saved.key], ["STRIPE_SANDBOX_URL", saved.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("stripe client factory", () => {
  it("uses the sandbox without STRIPE_SECRET_KEY (blank counts as unset)", () => {
    expect(isSandbox({})).toBe(true);
    expect(isSandbox({ STRIPE_SECRET_KEY: "" })).toBe(true);
    expect(isSandbox({ STRIPE_SECRET_KEY: "sk_test_123" })).toBe(false);
    expect(sandboxUrl({})).toBe(DEFAULT_SANDBOX_URL);
    expect(sandboxUrl({ STRIPE_SANDBOX_URL: "http://localhost:9999" })).toBe("http://localhost:9999");
  });

  it("rejects a malformed key or URL with one readable line", () => {
    expect(() => isSandbox({ STRIPE_SECRET_KEY: "pk_test_123" })).toThrow(/STRIPE_SECRET_KEY must start with sk_/);
    expect(() => sandboxUrl({ STRIPE_SANDBOX_URL: "not a url" })).toThrow(/STRIPE_SANDBOX_URL/);
  });

  it("getStripe() talks to the sandbox at STRIPE_SANDBOX_URL with the official SDK", async () => {
    const sandbox = await startStripeSandbox({ webhookSecret: "whsec_test" });
    try {
      delete process.env.STRIPE_SECRET_KEY;
      process.env.STRIPE_SANDBOX_URL = sandbox.url;
      const stripe = getStripe();
      expect(getStripe()).toBe(stripe);
      const customer = await stripe.customers.create({ email: "factory@example.com" });
      expect(customer.id).toMatch(/^cus_/);
      expect(stripe.getApiField("host")).toBe("127.0.0.1");
      expect(stripe.getMaxNetworkRetries()).toBe(2);
    } finally {
      await sandbox.stop();
    }
  });

  it("createStripeClient with a secret key targets api.stripe.com", () => {
    const real = createStripeClient({ secretKey: "sk_test_real" });
    expect(real.getApiField("host")).toBe("api.stripe.com");
    expect(real.getApiField("protocol")).toBe("https");
    const local = createStripeClient({ sandboxUrl: "http://127.0.0.1:4321" });
    expect(local.getApiField("port")).toBe(4321);
    expect(local.getApiField("protocol")).toBe("http");
  });
});
