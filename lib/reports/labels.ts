/** The seeds' words for categories, bot types, pools and sources (SPEC §10); shared by server and client. */
export const CATEGORY_KEYS = ["llm", "web_search", "speech_to_text", "code_artifact", "training"] as const;
export type CategoryKey = (typeof CATEGORY_KEYS)[number];

export const CATEGORY_LABEL: Record<CategoryKey | "other", string> = {
  llm: "LLM",
  web_search: "WebSearch",
  speech_to_text: "SpeechToText",
  code_artifact: "Code artifacts",
  training: "Training",
  other: "Other",
};

export const BOT_TYPE_KEYS = ["language_model", "coding"] as const;
export type BotTypeKey = (typeof BOT_TYPE_KEYS)[number];
export const BOT_TYPE_LABEL: Record<BotTypeKey | "none", string> = { language_model: "Language model", coding: "Coding", none: "No bot" };

export const POOL_KEYS = ["owner", "free_reserve", "end_user"] as const;
export type PoolKey = (typeof POOL_KEYS)[number];
export const POOL_LABEL: Record<PoolKey, string> = { owner: "Owner cap", free_reserve: "Free reserve", end_user: "End-user credits" };

export const SOURCE_LABEL: Record<string, string> = {
  signup_bonus: "Signup bonus",
  plan: "Plan",
  top_up: "Top-up",
  auto_recharge: "Auto-recharge",
  pack: "Pack",
  pack_bonus: "Pack bonus",
  end_user_plan: "End-user plan",
  assignment: "Assignment",
  promo: "Promo",
  adjustment: "Adjustment",
};

export function categoryLabel(category: string | null): string {
  return CATEGORY_LABEL[(category ?? "other") as CategoryKey] ?? category ?? "Other";
}
