// The public API of purchases (issue 6). Issues 7 (auto-recharge, invoices) and 8 (agency packs) build on it.
export { getStripe, isSandbox, createStripeClient } from "./stripe";
export { getOrCreateOrgCustomer, getOrCreateEndUserCustomer, findOrgCustomer, findEndUserCustomer } from "./customers";
export {
  createPlatformPack,
  createEndUserPack,
  createAgencyPack,
  setPackStatus,
  listPlatformPacks,
  listBotPacks,
  listAgencyPacks,
  getPack,
  createEndUserPlan,
  setPlanStatus,
  listBotPlans,
  getPlan,
  pricePerCredit,
  CURRENCIES,
  PLAN_INTERVALS,
  type CreditPack,
  type EndUserPlan,
  type PackAudience,
  type PackTerms,
  type PlanTerms,
} from "./offers";
export { createPackCheckout, createPlanCheckout, META, type Buyer, type CheckoutUrls, type StartedCheckout } from "./checkout";
export {
  fulfilCheckoutSession,
  fulfilInvoice,
  grantOrder,
  syncSubscription,
  markSessionPaymentFailed,
  markSessionExpired,
  recordPaymentIntentFailure,
  orderBatches,
  type FulfilResult,
  type FulfilStatus,
  type Order,
  type EndUserSubscription,
} from "./fulfil";
export { reversePayment, type PaymentReversal, type ReversalOutcome } from "./reverse-payment";
export { listOrders, ORDER_STATUS_LABEL, type OrderRow } from "./orders";
export { listEndUsers, givePromoCredits, type EndUserRow } from "./end-users";
export { signEndUserToken, verifyEndUserToken, createEndUserSessionLink, endUserLinkSecret, END_USER_LINK_TTL_SECONDS } from "./end-user-link";
export { getPublicBot, getEndUserOverview, type EndUserOverview } from "./end-user-view";
export { processStripeWebhook, WEBHOOK_HANDLERS, type WebhookResponse } from "./webhooks/dispatch";
