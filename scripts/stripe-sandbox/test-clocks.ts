import { expireDueSessions } from "./checkout";
import type { Ctx } from "./context";
import { invalidRequest, missingParam } from "./errors";
import { int, str, type FormObject } from "./form";
import { newId } from "./ids";
import { getObject, type StripeObject } from "./state";
import { runRenewals } from "./subscriptions";

export function createTestClock(ctx: Ctx, params: FormObject): StripeObject {
  const frozen = int(params.frozen_time, "frozen_time");
  if (frozen === undefined) throw missingParam("frozen_time");
  return ctx.put({
    id: newId("clock"),
    object: "test_helpers.test_clock",
    created: ctx.now(),
    deletes_after: ctx.now() + 30 * 86_400,
    frozen_time: frozen,
    livemode: false,
    name: str(params.name) ?? null,
    status: "ready",
    status_details: {},
  });
}

export function retrieveTestClock(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "test_helpers.test_clock"), params);
}

export function listTestClocks(ctx: Ctx, params: FormObject): StripeObject {
  return ctx.list("/v1/test_helpers/test_clocks", ctx.all("test_helpers.test_clock"), params);
}

/** Moves a test clock and bills its customers' subscriptions up to the new time, synchronously. */
export function advanceTestClock(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const clock = getObject(ctx.state, id, "test_helpers.test_clock");
  const frozen = int(params.frozen_time, "frozen_time");
  if (frozen === undefined) throw missingParam("frozen_time");
  if (frozen <= clock.frozen_time) throw invalidRequest("The test clock can only be advanced forward.", "frozen_time");
  clock.frozen_time = frozen;
  runRenewals(ctx, frozen, clock.id);
  clock.status = "ready";
  ctx.changed();
  ctx.emit("test_helpers.test_clock.ready", clock);
  return clock;
}

/** Sandbox control: moves the global clock (customers without a test clock) and runs what came due. */
export function advanceGlobalClock(ctx: Ctx, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw invalidRequest("seconds must be a non-negative number", "seconds");
  ctx.state.clockOffset += Math.floor(seconds);
  const now = ctx.now();
  runRenewals(ctx, now, null);
  expireDueSessions(ctx, now);
  ctx.changed();
  return now;
}
