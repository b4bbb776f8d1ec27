import type { Ctx } from "./context";
import { arr, obj, str, type FormObject } from "./form";
import { getObject, type StripeObject } from "./state";

export function retrieveEvent(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return getObject(ctx.state, id, "event");
}

/** GET /v1/events with `type`, `types[]` and `created[gte|gt|lte|lt]`, newest first. */
export function listEvents(ctx: Ctx, params: FormObject): StripeObject {
  const type = str(params.type);
  const types = arr(params.types).filter((t): t is string => typeof t === "string");
  const created = obj(params.created);
  const exact = str(params.created);
  const matchesType = (t: string) => {
    const wanted = type ? [type, ...types] : types;
    if (wanted.length === 0) return true;
    return wanted.some((w) => (w.endsWith(".*") ? t.startsWith(w.slice(0, -1)) : t === w));
  };
  const bound = (k: string) => (str(created[k]) !== undefined ? Number(str(created[k])) : undefined);
  const [gte, gt, lte, lt] = ["gte", "gt", "lte", "lt"].map(bound);
  const items = ctx.all(
    "event",
    (e) =>
      matchesType(e.type) &&
      (exact === undefined || e.created === Number(exact)) &&
      (gte === undefined || e.created >= gte) &&
      (gt === undefined || e.created > gt) &&
      (lte === undefined || e.created <= lte) &&
      (lt === undefined || e.created < lt),
  );
  return ctx.list("/v1/events", items, params);
}
