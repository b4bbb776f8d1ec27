export const BATCH_TYPES = ["free", "paid"] as const;
export const BATCH_SOURCES = [
  "signup_bonus",
  "plan",
  "top_up",
  "auto_recharge",
  "pack",
  "pack_bonus",
  "end_user_plan",
  "assignment",
  "promo",
  "adjustment",
] as const;
export const USAGE_ACTORS = ["operator", "free_visitor", "paying_visitor", "system"] as const;
export const USAGE_CATEGORIES = ["llm", "web_search", "speech_to_text", "code_artifact", "training"] as const;
export const USAGE_POOLS = ["owner", "free_reserve", "end_user"] as const;

export type BatchType = (typeof BATCH_TYPES)[number];
export type BatchSource = (typeof BATCH_SOURCES)[number];
export type UsageActor = (typeof USAGE_ACTORS)[number];
export type UsageCategory = (typeof USAGE_CATEGORIES)[number];
export type UsagePool = (typeof USAGE_POOLS)[number];

/** Usage-event metadata the metering layer passes to debit / placeHold / captureHold. */
export interface UsageMeta {
  botId?: string | null;
  endUserId?: string | null;
  /** Default "operator". */
  actor?: UsageActor;
  category?: UsageCategory | null;
  quantities?: Record<string, unknown>;
  /** Default "owner". */
  pool?: UsagePool;
  /** Default: now. */
  occurredAt?: Date;
  rateCardVersion?: number | null;
  description?: string | null;
}

export type { Allocation } from "./internal";

export const DEFAULT_HOLD_TTL_MS = 15 * 60 * 1000;
