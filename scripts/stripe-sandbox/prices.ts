import type { Ctx } from "./context";
import { invalidRequest, missingParam } from "./errors";
import { int, mergeMetadata, obj, str, type FormObject } from "./form";
import { newId } from "./ids";
import { getObject, type StripeObject } from "./state";

export function newProduct(ctx: Ctx, params: FormObject): StripeObject {
  const name = str(params.name);
  if (!name) throw missingParam("name");
  const now = ctx.now();
  return ctx.put({
    id: newId("prod", 14),
    object: "product",
    active: true,
    created: now,
    default_price: null,
    description: str(params.description) ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: mergeMetadata({}, params.metadata),
    name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: "service",
    unit_label: null,
    updated: now,
    url: null,
  });
}

/**
 * Turns inline `price_data` (what Checkout line items carry) into Price and Product objects, as Stripe does
 * behind the scenes; `param` names the field in errors (`line_items[0][price_data]`).
 */
export function priceFromData(ctx: Ctx, data: FormObject, param: string, requireRecurring: boolean): StripeObject {
  const currency = str(data.currency)?.toLowerCase();
  if (!currency) throw missingParam(`${param}[currency]`);
  const unitAmount = int(data.unit_amount, `${param}[unit_amount]`);
  if (unitAmount === undefined) throw missingParam(`${param}[unit_amount]`);
  let productId = str(data.product);
  if (productId) getObject(ctx.state, productId, "product", `${param}[product]`);
  else {
    const productData = obj(data.product_data);
    if (!str(productData.name)) throw missingParam(`${param}[product_data][name]`);
    productId = newProduct(ctx, productData).id;
  }
  const recurringData = data.recurring === undefined ? undefined : obj(data.recurring);
  if (requireRecurring && !recurringData) {
    throw invalidRequest("You must provide at least one recurring price in `subscription` mode when using prices.", `${param}[recurring]`);
  }
  if (!requireRecurring && recurringData) {
    throw invalidRequest("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", `${param}[recurring]`);
  }
  let recurring: StripeObject | null = null;
  if (recurringData) {
    const interval = str(recurringData.interval);
    if (!interval || !["day", "week", "month", "year"].includes(interval)) throw missingParam(`${param}[recurring][interval]`);
    recurring = { interval, interval_count: int(recurringData.interval_count, `${param}[recurring][interval_count]`) ?? 1, meter: null, trial_period_days: null, usage_type: "licensed" };
  }
  return ctx.put({
    id: newId("price"),
    object: "price",
    active: false,
    billing_scheme: "per_unit",
    created: ctx.now(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: productId,
    recurring,
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? "recurring" : "one_time",
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  });
}

export function createPrice(ctx: Ctx, params: FormObject): StripeObject {
  const price = priceFromData(ctx, params, "price", params.recurring !== undefined);
  price.active = true;
  price.metadata = mergeMetadata({}, params.metadata);
  price.nickname = str(params.nickname) ?? null;
  price.lookup_key = str(params.lookup_key) ?? null;
  return ctx.expand(price, params);
}

export function createProduct(ctx: Ctx, params: FormObject): StripeObject {
  return newProduct(ctx, params);
}

export function retrievePrice(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "price"), params);
}

export function retrieveProduct(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "product"), params);
}

export function planFromPrice(price: StripeObject): StripeObject {
  return {
    id: price.id,
    object: "plan",
    active: true,
    amount: price.unit_amount,
    amount_decimal: String(price.unit_amount),
    billing_scheme: "per_unit",
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? "month",
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: "licensed",
  };
}
