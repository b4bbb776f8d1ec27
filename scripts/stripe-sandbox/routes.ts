import * as checkout from "./checkout";
import type { Ctx } from "./context";
import * as customers from "./customers";
import * as events from "./events";
import type { FormObject } from "./form";
import * as invoices from "./invoices";
import * as paymentIntents from "./payment-intents";
import * as paymentMethods from "./payment-methods";
import * as portal from "./portal";
import * as prices from "./prices";
import * as refunds from "./refunds";
import type { StripeObject } from "./state";
import * as subscriptions from "./subscriptions";
import * as testClocks from "./test-clocks";

export type Handler = (ctx: Ctx, params: FormObject, ...ids: string[]) => StripeObject;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const table: Array<[string, string, Handler]> = [
  ["POST", "/v1/customers", customers.createCustomer],
  ["GET", "/v1/customers", customers.listCustomers],
  ["GET", "/v1/customers/:id", customers.retrieveCustomer],
  ["POST", "/v1/customers/:id", customers.updateCustomer],
  ["GET", "/v1/customers/:id/payment_methods", paymentMethods.listCustomerPaymentMethods],
  ["GET", "/v1/customers/:id/payment_methods/:id", paymentMethods.retrieveCustomerPaymentMethod],

  ["GET", "/v1/payment_methods", paymentMethods.listPaymentMethods],
  ["GET", "/v1/payment_methods/:id", paymentMethods.retrievePaymentMethod],
  ["POST", "/v1/payment_methods/:id/attach", paymentMethods.attachPaymentMethod],
  ["POST", "/v1/payment_methods/:id/detach", paymentMethods.detachPaymentMethod],

  ["POST", "/v1/checkout/sessions", checkout.createCheckoutSession],
  ["GET", "/v1/checkout/sessions", checkout.listCheckoutSessions],
  ["GET", "/v1/checkout/sessions/:id", checkout.retrieveCheckoutSession],
  ["GET", "/v1/checkout/sessions/:id/line_items", checkout.listCheckoutLineItems],
  ["POST", "/v1/checkout/sessions/:id/expire", checkout.expireCheckoutSession],

  ["POST", "/v1/payment_intents", paymentIntents.createPaymentIntent],
  ["GET", "/v1/payment_intents", paymentIntents.listPaymentIntents],
  ["GET", "/v1/payment_intents/:id", paymentIntents.retrievePaymentIntent],
  ["POST", "/v1/payment_intents/:id/confirm", paymentIntents.confirmPaymentIntentRoute],
  ["POST", "/v1/payment_intents/:id/cancel", paymentIntents.cancelPaymentIntent],
  ["GET", "/v1/charges", paymentIntents.listCharges],
  ["GET", "/v1/charges/:id", paymentIntents.retrieveCharge],

  ["POST", "/v1/invoiceitems", invoices.createInvoiceItem],
  ["GET", "/v1/invoiceitems", invoices.listInvoiceItems],
  ["GET", "/v1/invoiceitems/:id", invoices.retrieveInvoiceItem],
  ["POST", "/v1/invoices", invoices.createInvoice],
  ["GET", "/v1/invoices", invoices.listInvoices],
  ["GET", "/v1/invoices/:id", invoices.retrieveInvoice],
  ["GET", "/v1/invoices/:id/lines", invoices.listInvoiceLines],
  ["POST", "/v1/invoices/:id/finalize", invoices.finalizeInvoice],
  ["POST", "/v1/invoices/:id/pay", invoices.payInvoice],
  ["POST", "/v1/invoices/:id/void", invoices.voidInvoice],
  ["GET", "/v1/invoice_payments", invoices.listInvoicePayments],

  ["POST", "/v1/products", prices.createProduct],
  ["GET", "/v1/products/:id", prices.retrieveProduct],
  ["POST", "/v1/prices", prices.createPrice],
  ["GET", "/v1/prices/:id", prices.retrievePrice],

  ["GET", "/v1/subscriptions", subscriptions.listSubscriptions],
  ["GET", "/v1/subscriptions/:id", subscriptions.retrieveSubscription],
  ["POST", "/v1/subscriptions/:id", subscriptions.updateSubscription],
  ["DELETE", "/v1/subscriptions/:id", subscriptions.cancelSubscription],

  ["POST", "/v1/billing_portal/sessions", portal.createPortalSession],

  ["POST", "/v1/refunds", refunds.createRefund],
  ["GET", "/v1/refunds", refunds.listRefunds],
  ["GET", "/v1/refunds/:id", refunds.retrieveRefund],
  ["GET", "/v1/disputes/:id", refunds.retrieveDispute],

  ["POST", "/v1/test_helpers/test_clocks", testClocks.createTestClock],
  ["GET", "/v1/test_helpers/test_clocks", testClocks.listTestClocks],
  ["GET", "/v1/test_helpers/test_clocks/:id", testClocks.retrieveTestClock],
  ["POST", "/v1/test_helpers/test_clocks/:id/advance", testClocks.advanceTestClock],

  ["GET", "/v1/events", events.listEvents],
  ["GET", "/v1/events/:id", events.retrieveEvent],
];

const routes: Route[] = table.map(([method, path, handler]) => ({
  method,
  pattern: new RegExp(`^${path.replace(/:id/g, "([^/]+)")}/?$`),
  handler,
}));

export function matchRoute(method: string, path: string): { handler: Handler; ids: string[] } | "method_not_allowed" | null {
  let pathMatched = false;
  for (const route of routes) {
    const m = path.match(route.pattern);
    if (!m) continue;
    pathMatched = true;
    if (route.method === method) return { handler: route.handler, ids: m.slice(1).map(decodeURIComponent) };
  }
  return pathMatched ? "method_not_allowed" : null;
}
