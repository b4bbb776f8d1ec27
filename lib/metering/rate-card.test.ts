import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, priceLine, priceUsage, usageLineSchema } from "./rate-card";

const line = (input: unknown) => usageLineSchema.parse(input);

describe("priceLine", () => {
  it("prices LLM tokens per 1K, by model tier, rounding a partial micro-credit up", () => {
    // standard: 0.0025 in + 0.01 out per 1K → 1500 in = 3750 µc, 300 out = 3000 µc
    expect(priceLine(DEFAULT_PRICES, line({ category: "llm", input_tokens: 1500, output_tokens: 300 }))).toBe(6750n);
    // small: 0.00015/1K = 150 µc per 1K → 1 token = 0.15 µc → charged 1 µc
    expect(priceLine(DEFAULT_PRICES, line({ category: "llm", model_tier: "small", input_tokens: 1 }))).toBe(1n);
    expect(priceLine(DEFAULT_PRICES, line({ category: "llm", model_tier: "large", input_tokens: 1000, output_tokens: 1000 }))).toBe(75_000n);
  });

  it("bills speech by the second at the per-minute price", () => {
    // 0.006 per minute = 6000 µc/min → 90 s = 9000 µc; 1 s = 100 µc
    expect(priceLine(DEFAULT_PRICES, line({ category: "speech_to_text", audio_seconds: 90 }))).toBe(9000n);
    expect(priceLine(DEFAULT_PRICES, line({ category: "speech_to_text", audio_seconds: 1 }))).toBe(100n);
  });

  it("prices searches, artifacts and training tokens", () => {
    expect(priceLine(DEFAULT_PRICES, line({ category: "web_search", searches: 2 }))).toBe(20_000n);
    expect(priceLine(DEFAULT_PRICES, line({ category: "code_artifact" }))).toBe(20_000n);
    expect(priceLine(DEFAULT_PRICES, line({ category: "training", training_tokens: 2500 }))).toBe(250n);
  });

  it("sums lines exactly", () => {
    expect(
      priceUsage(DEFAULT_PRICES, [line({ category: "llm", input_tokens: 1500, output_tokens: 300 }), line({ category: "web_search", searches: 1 })]),
    ).toBe(16_750n);
  });

  it("rejects unknown categories, fractional and negative quantities", () => {
    expect(usageLineSchema.safeParse({ category: "teleport" }).success).toBe(false);
    expect(usageLineSchema.safeParse({ category: "llm", input_tokens: 1.5 }).success).toBe(false);
    expect(usageLineSchema.safeParse({ category: "web_search", searches: -1 }).success).toBe(false);
  });
});
