import { completeWithBankTransfer, completeWithCard, successRedirect, type CheckoutResult } from "./checkout";
import { normalizeCardNumber, validateCardNumber } from "./cards";
import type { Ctx } from "./context";
import { StripeHttpError } from "./errors";
import { str, type FormObject } from "./form";
import { attemptInvoicePayment, settleInvoiceAfterAuthentication } from "./invoices";
import { failPaymentIntent, succeedPaymentIntent } from "./payment-intents";
import { createCardPaymentMethod } from "./payment-methods";
import { buildPdf, type PdfLine } from "./pdf";
import { portalCancel } from "./portal";
import { findObject, type StripeObject } from "./state";
import { formatAmount } from "./subscriptions";

/**
 * The hosted pages (Checkout, 3-D Secure, invoice, billing portal). Plain HTML forms with labels and no
 * JavaScript, so Playwright can `fill('label=Card number')` and a keyboard user can pay.
 */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
  *{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}
  main{max-width:960px;margin:0 auto;padding:32px 16px;display:grid;gap:32px;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
  .banner{background:#fff3cd;color:#664d03;text-align:center;padding:6px;font-size:13px}
  section{background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
  h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:0 0 12px}
  .total{font-size:32px;font-weight:600;margin:8px 0 16px}
  table{width:100%;border-collapse:collapse}td,th{padding:6px 0;text-align:left;border-bottom:1px solid #e3e8ee}td.num,th.num{text-align:right}
  label{display:block;font-size:14px;margin:12px 0 4px;color:#3c4257}
  input{width:100%;padding:10px;border:1px solid #cfd7df;border-radius:6px;font-size:16px}
  input:focus,button:focus,a:focus{outline:3px solid #635bff;outline-offset:1px}
  .row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
  button{margin-top:16px;width:100%;padding:12px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:16px;font-weight:600;cursor:pointer}
  button.secondary{background:#fff;color:#1a1f36;border:1px solid #cfd7df}
  button.danger{background:#df1b41}
  .error{color:#df1b41;background:#fff5f7;border:1px solid #df1b41;border-radius:6px;padding:10px;margin-top:12px}
  .note{font-size:13px;color:#697386}a{color:#635bff}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><div class="banner" role="note">Stripe sandbox — test mode. No real money moves.</div>
${body}</body></html>`;
}

function html(body: string, status = 200): PageResponse {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body };
}

function redirect(location: string): PageResponse {
  return { status: 303, headers: { location }, body: "" };
}

function notFound(what: string): PageResponse {
  return html(layout("Not found", `<main><section><h1>${escapeHtml(what)} not found</h1><p>This link is invalid or the sandbox was reset.</p></section></main>`), 404);
}

// ---- Checkout ----

function summary(ctx: Ctx, session: StripeObject): string {
  const items = ctx.state.internal.sessionLineItems[session.id] ?? [];
  if (session.mode === "setup") {
    return `<section aria-labelledby="summary"><h1 id="summary">Save a card for future payments</h1>
      <p>Your card will be saved and charged later, as agreed with the merchant.</p></section>`;
  }
  const rows = items
    .map((li) => {
      const interval = li.price.recurring ? ` / ${li.price.recurring.interval_count > 1 ? `${li.price.recurring.interval_count} ` : ""}${li.price.recurring.interval}` : "";
      return `<tr><td>${escapeHtml(li.description)}${li.quantity > 1 ? ` × ${li.quantity}` : ""}</td><td class="num">${escapeHtml(formatAmount(li.amount_total, li.currency))}${interval}</td></tr>`;
    })
    .join("");
  const recurring = items[0]?.price?.recurring;
  return `<section aria-labelledby="summary"><h1 id="summary">${session.mode === "subscription" ? "Subscribe" : "Pay"}</h1>
    <p class="total">${escapeHtml(formatAmount(session.amount_total, session.currency))}${recurring ? ` <span class="note">per ${escapeHtml(recurring.interval)}</span>` : ""}</p>
    <table><caption class="note" style="text-align:left">Order summary</caption><thead><tr><th scope="col">Item</th><th scope="col" class="num">Amount</th></tr></thead>
    <tbody>${rows}</tbody><tfoot><tr><th scope="row">Total due today</th><td class="num"><strong>${escapeHtml(formatAmount(session.amount_total, session.currency))}</strong></td></tr></tfoot></table></section>`;
}

function checkoutPage(ctx: Ctx, session: StripeObject, error?: string, values: FormObject = {}): PageResponse {
  const email = str(values.email) ?? session.customer_email ?? session.customer_details?.email ?? (session.customer ? ctx.state.objects[session.customer]?.email : "") ?? "";
  const button = session.mode === "payment" ? "Pay" : session.mode === "subscription" ? "Subscribe" : "Save";
  const bankTransfer =
    session.mode === "payment"
      ? `<form method="post" action="/c/pay/${escapeHtml(session.id)}"><input type="hidden" name="method" value="bank_transfer"><input type="hidden" name="email" value="${escapeHtml(email)}">
         <button type="submit" class="secondary">Use bank transfer</button><p class="note">Completes now; the money arrives later (trigger with POST /_sandbox/async/${escapeHtml(session.id)}/succeed).</p></form>`
      : "";
  const body = `<main>${summary(ctx, session)}
  <section aria-labelledby="pay-heading"><h2 id="pay-heading">${session.mode === "setup" ? "Card details" : "Pay with card"}</h2>
  <form method="post" action="/c/pay/${escapeHtml(session.id)}" novalidate>
    <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" value="${escapeHtml(email)}">
    <label for="card_number">Card number</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" value="${escapeHtml(str(values.card_number) ?? "")}" ${error ? 'aria-describedby="card-error" aria-invalid="true"' : ""}>
    <div class="row"><div><label for="card_expiry">Expiration date</label><input id="card_expiry" name="card_expiry" autocomplete="cc-exp" placeholder="MM / YY" value="${escapeHtml(str(values.card_expiry) ?? "")}"></div>
    <div><label for="card_cvc">CVC</label><input id="card_cvc" name="card_cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" value="${escapeHtml(str(values.card_cvc) ?? "")}"></div></div>
    <label for="cardholder_name">Cardholder name</label><input id="cardholder_name" name="cardholder_name" autocomplete="cc-name" value="${escapeHtml(str(values.cardholder_name) ?? "")}">
    ${error ? `<p id="card-error" class="error" role="alert">${escapeHtml(error)}</p>` : ""}
    <button type="submit" name="method" value="card">${button}</button>
  </form>
  ${bankTransfer}
  ${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a> and return to the merchant</p>` : ""}
  <p class="note">Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0027 6000 3184 asks for authentication.</p>
  </section></main>`;
  return html(layout(`${button} — Stripe sandbox`, body));
}

function challengePage(title: string, amount: string, action: string, hidden: Record<string, string> = {}): PageResponse {
  const fields = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("");
  const body = `<main><section aria-labelledby="challenge"><h1 id="challenge">${escapeHtml(title)}</h1>
    <p>Your bank asks you to confirm this ${escapeHtml(amount)} payment (3-D Secure test challenge).</p>
    <form method="post" action="${escapeHtml(action)}">${fields}
      <button type="submit" name="result" value="complete">Complete authentication</button>
      <button type="submit" name="result" value="fail" class="secondary">Fail authentication</button>
    </form></section></main>`;
  return html(layout("Authenticate payment — Stripe sandbox", body));
}

function sessionClosedPage(session: StripeObject): PageResponse {
  const done = session.status === "complete";
  const body = `<main><section><h1>${done ? "This payment is complete" : "This checkout session has expired"}</h1>
    ${done ? `<p><a href="${escapeHtml(successRedirect(session))}">Return to the merchant</a></p>` : session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Return to the merchant</a></p>` : ""}</section></main>`;
  return html(layout("Checkout — Stripe sandbox", body), done ? 200 : 410);
}

function parseExpiry(value: string | undefined): { expMonth?: number; expYear?: number } {
  const m = value?.match(/^\s*(\d{1,2})\s*\/?\s*(\d{2,4})\s*$/);
  if (!m) return {};
  const year = Number(m[2]);
  return { expMonth: Number(m[1]), expYear: year < 100 ? 2000 + year : year };
}

function checkoutResultPage(ctx: Ctx, result: CheckoutResult, values: FormObject): PageResponse {
  switch (result.kind) {
    case "complete":
      return redirect(result.redirect);
    case "requires_action":
      return challengePage("Authenticate your card", formatAmount(result.session.amount_total ?? 0, result.session.currency ?? "usd"), `/c/pay/${result.session.id}/authenticate`);
    default:
      if (result.session.status !== "open") return sessionClosedPage(result.session);
      return checkoutPage(ctx, result.session, result.message, values);
  }
}

function handleCheckout(ctx: Ctx, method: string, id: string, action: string | undefined, form: FormObject): PageResponse {
  const session = findObject(ctx.state, id, "checkout.session");
  if (!session) return notFound("Checkout session");
  if (method === "GET") return session.status === "open" ? checkoutPage(ctx, session) : sessionClosedPage(session);
  if (action === "authenticate") {
    const pending = ctx.state.internal.pendingCheckout[session.id];
    if (!pending || session.status !== "open") return session.status === "open" ? checkoutPage(ctx, session) : sessionClosedPage(session);
    const answer = str(form.result) === "complete" ? "complete" : "fail";
    return checkoutResultPage(ctx, completeWithCard(ctx, session, pending, answer), {});
  }
  if (str(form.method) === "bank_transfer") return checkoutResultPage(ctx, completeWithBankTransfer(ctx, session, str(form.email)), form);
  const result = completeWithCard(ctx, session, {
    number: str(form.card_number) ?? "",
    email: str(form.email),
    name: str(form.cardholder_name),
    ...parseExpiry(str(form.card_expiry)),
  });
  return checkoutResultPage(ctx, result, form);
}

// ---- 3-D Secure for payment intents (next_action.redirect_to_url) ----

function handleAuthenticate(ctx: Ctx, method: string, id: string, form: FormObject): PageResponse {
  const pi = findObject(ctx.state, id, "payment_intent");
  if (!pi) return notFound("Payment");
  const back = pi.next_action?.redirect_to_url?.return_url as string | null | undefined;
  if (method === "GET") {
    if (pi.status !== "requires_action") {
      return html(layout("Payment — Stripe sandbox", `<main><section><h1>${pi.status === "succeeded" ? "This payment is complete" : "Nothing to authenticate"}</h1><p>Status: ${escapeHtml(pi.status)}</p></section></main>`));
    }
    return challengePage("Authenticate your payment", formatAmount(pi.amount, pi.currency), `/authenticate/${pi.id}`);
  }
  if (pi.status === "requires_action") authenticatePaymentIntent(ctx, pi, str(form.result) === "complete");
  if (back) return redirect(back);
  const ok = pi.status === "succeeded";
  return html(layout("Payment — Stripe sandbox", `<main><section><h1>${ok ? "Payment complete" : "Authentication failed"}</h1><p>${ok ? "You can close this page." : "The payment was not made."}</p></section></main>`));
}

/** Completes or fails a payment intent's 3-D Secure step, and settles an invoice it was paying. */
export function authenticatePaymentIntent(ctx: Ctx, pi: StripeObject, success: boolean): StripeObject {
  if (pi.status !== "requires_action") throw new StripeHttpError(400, "invalid_request_error", `PaymentIntent ${pi.id} does not require action (status ${pi.status}).`, "payment_intent_unexpected_state");
  if (success) succeedPaymentIntent(ctx, pi);
  else failPaymentIntent(ctx, pi, "authentication_required", "The provided PaymentMethod has failed authentication.", "payment_intent_authentication_failure");
  settleInvoiceAfterAuthentication(ctx, pi);
  return pi;
}

// ---- Hosted invoice + PDF ----

function invoiceLines(invoice: StripeObject): string {
  return invoice.lines.data
    .map((l: StripeObject) => `<tr><td>${escapeHtml(l.description)}</td><td class="num">${escapeHtml(formatAmount(l.amount, invoice.currency))}</td></tr>`)
    .join("");
}

function dateOf(seconds: number | null | undefined): string {
  return seconds ? new Date(seconds * 1000).toISOString().slice(0, 10) : "";
}

function pendingActionPi(ctx: Ctx, invoice: StripeObject): StripeObject | undefined {
  return Object.entries(ctx.state.internal.invoiceOfPaymentIntent)
    .filter(([, inv]) => inv === invoice.id)
    .map(([pi]) => ctx.state.objects[pi])
    .find((pi) => pi?.status === "requires_action");
}

function invoicePage(ctx: Ctx, invoice: StripeObject, error?: string): PageResponse {
  const actionPi = invoice.status === "open" ? pendingActionPi(ctx, invoice) : undefined;
  const payForm =
    invoice.status === "open"
      ? actionPi
        ? `<p><a href="/authenticate/${escapeHtml(actionPi.id)}">Complete payment</a> — your bank needs you to confirm it.</p>`
        : `<form method="post" action="/i/${escapeHtml(invoice.id)}/pay"><h2>Pay this invoice</h2>
           <label for="card_number">Card number</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number">
           ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}<button type="submit">Pay ${escapeHtml(formatAmount(invoice.amount_remaining, invoice.currency))}</button></form>`
      : "";
  const body = `<main><section aria-labelledby="inv"><h1 id="inv">Invoice ${escapeHtml(invoice.number ?? invoice.id)}</h1>
    <p>Status: <strong>${escapeHtml(invoice.status)}</strong>${invoice.status_transitions.paid_at ? ` · Paid ${dateOf(invoice.status_transitions.paid_at)}` : ""}</p>
    <p>Billed to ${escapeHtml(invoice.customer_email ?? invoice.customer)} · Issued ${dateOf(invoice.status_transitions.finalized_at ?? invoice.created)}</p>
    <table><thead><tr><th scope="col">Description</th><th scope="col" class="num">Amount</th></tr></thead><tbody>${invoiceLines(invoice)}</tbody>
    <tfoot><tr><th scope="row">Total</th><td class="num"><strong>${escapeHtml(formatAmount(invoice.total, invoice.currency))}</strong></td></tr>
    <tr><th scope="row">Amount paid</th><td class="num">${escapeHtml(formatAmount(invoice.amount_paid, invoice.currency))}</td></tr></tfoot></table>
    <p><a href="/i/${escapeHtml(invoice.id)}/pdf">Download invoice (PDF)</a></p>${payForm}</section></main>`;
  return html(layout(`Invoice ${invoice.number ?? ""} — Stripe sandbox`, body));
}

export function invoicePdf(invoice: StripeObject): Buffer {
  const lines: PdfLine[] = [
    { text: "Creditdesk", size: 20, bold: true, gap: 10 },
    { text: `Invoice ${invoice.number ?? invoice.id}`, size: 14, bold: true, gap: 30 },
    { text: `Status: ${invoice.status}` },
    { text: `Date issued: ${dateOf(invoice.status_transitions.finalized_at ?? invoice.created)}` },
    { text: `Billed to: ${invoice.customer_name ? `${invoice.customer_name} ` : ""}${invoice.customer_email ?? invoice.customer}` },
    { text: "Description", bold: true, gap: 30 },
    ...invoice.lines.data.map((l: StripeObject) => ({ text: `${l.description ?? "Item"}    ${formatAmount(l.amount, invoice.currency)}` })),
    { text: `Total: ${formatAmount(invoice.total, invoice.currency)}`, bold: true, gap: 30 },
    { text: `Amount paid: ${formatAmount(invoice.amount_paid, invoice.currency)}` },
    { text: `Amount due: ${formatAmount(invoice.amount_remaining, invoice.currency)}` },
    { text: "Issued by the Stripe sandbox (test mode).", size: 9, gap: 40 },
  ];
  return buildPdf(lines);
}

function handleInvoice(ctx: Ctx, method: string, id: string, action: string | undefined, form: FormObject): PageResponse {
  const invoice = findObject(ctx.state, id, "invoice");
  if (!invoice || invoice.status === "draft") return notFound("Invoice");
  if (action === "pdf") {
    return { status: 200, headers: { "content-type": "application/pdf", "content-disposition": `inline; filename="Invoice-${invoice.number}.pdf"` }, body: invoicePdf(invoice) };
  }
  if (method === "POST" && action === "pay" && invoice.status === "open") {
    const number = normalizeCardNumber(str(form.card_number) ?? "");
    const invalid = validateCardNumber(number);
    if (invalid) return invoicePage(ctx, invoice, invalid);
    const pm = createCardPaymentMethod(ctx, { number }, invoice.customer);
    const result = attemptInvoicePayment(ctx, invoice, { paymentMethod: pm.id, onSession: true });
    if (result.kind === "requires_action" && result.pi) return redirect(`/authenticate/${result.pi.id}`);
    if (result.kind === "declined") return invoicePage(ctx, invoice, result.pi?.last_payment_error?.message ?? "Your card was declined.");
    return redirect(`/i/${invoice.id}`);
  }
  return invoicePage(ctx, invoice);
}

// ---- Billing portal ----

function portalPage(ctx: Ctx, portal: StripeObject, notice?: string): PageResponse {
  const subs = ctx.all("subscription", (s) => s.customer === portal.customer && s.status !== "canceled" && s.status !== "incomplete_expired");
  const plans = subs
    .map((s) => {
      const item = s.items.data[0];
      const name = ctx.state.objects[item.price.product]?.name ?? "Plan";
      const price = `${formatAmount(item.price.unit_amount * (item.quantity ?? 1), item.price.currency)} per ${item.price.recurring.interval}`;
      const when = s.cancel_at_period_end ? `Cancels on ${dateOf(item.current_period_end)}` : `Renews on ${dateOf(item.current_period_end)}`;
      const action = s.cancel_at_period_end
        ? ""
        : `<form method="post" action="/p/session/${escapeHtml(portal.id)}/cancel"><input type="hidden" name="subscription" value="${escapeHtml(s.id)}">
           <button type="submit" class="danger" aria-label="Cancel plan ${escapeHtml(name)}">Cancel plan</button></form>`;
      return `<li><h3>${escapeHtml(name)}</h3><p>${escapeHtml(price)} · ${escapeHtml(s.status)} · ${escapeHtml(when)}</p>${action}</li>`;
    })
    .join("");
  const invoices = ctx
    .all("invoice", (i) => i.customer === portal.customer && i.status !== "draft")
    .slice(0, 10)
    .map((i) => `<tr><td>${dateOf(i.created)}</td><td>${escapeHtml(formatAmount(i.total, i.currency))}</td><td>${escapeHtml(i.status)}</td><td><a href="/i/${escapeHtml(i.id)}">View</a></td></tr>`)
    .join("");
  const back = portal.return_url ? `<p><a href="${escapeHtml(portal.return_url)}">Return to the merchant</a></p>` : "";
  const body = `<main><section aria-labelledby="plans"><h1 id="plans">Current plans</h1>
    ${notice ? `<p role="status"><strong>${escapeHtml(notice)}</strong></p>` : ""}
    ${plans ? `<ul style="list-style:none;padding:0">${plans}</ul>` : "<p>No active plans.</p>"}${back}</section>
    <section aria-labelledby="hist"><h2 id="hist">Invoice history</h2>${invoices ? `<table><thead><tr><th scope="col">Date</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col"><span class="note">Link</span></th></tr></thead><tbody>${invoices}</tbody></table>` : "<p>No invoices.</p>"}</section></main>`;
  return html(layout("Billing — Stripe sandbox", body));
}

function handlePortal(ctx: Ctx, method: string, id: string, action: string | undefined, form: FormObject): PageResponse {
  const portal = findObject(ctx.state, id, "billing_portal.session");
  if (!portal) return notFound("Billing portal session");
  if (method === "POST" && action === "cancel") {
    const subId = str(form.subscription);
    const sub = findObject(ctx.state, subId, "subscription");
    if (!sub || sub.customer !== portal.customer) return notFound("Subscription");
    portalCancel(ctx, portal, sub.id);
    return portalPage(ctx, portal, sub.status === "canceled" ? "Your plan has been canceled." : `Your plan will be canceled at the end of the billing period.`);
  }
  return portalPage(ctx, portal);
}

function indexPage(ctx: Ctx): PageResponse {
  const open = ctx.all("checkout.session", (s) => s.status === "open").slice(0, 20);
  const body = `<main><section><h1>Stripe sandbox</h1><p>A local Stripe-compatible API for development and tests.
    Point the official SDK at this host (see scripts/stripe-sandbox/README.md).</p>
    <h2>Open checkout sessions</h2>${open.length ? `<ul>${open.map((s) => `<li><a href="/c/pay/${escapeHtml(s.id)}">${escapeHtml(s.id.slice(0, 20))}…</a> ${escapeHtml(s.mode)}</li>`).join("")}</ul>` : "<p>None.</p>"}</section></main>`;
  return html(layout("Stripe sandbox", body));
}

/** Routes a browser request; null when the path is not a hosted page. */
export function handlePage(ctx: Ctx, method: string, path: string, form: FormObject): PageResponse | null {
  if (method !== "GET" && method !== "POST") return null;
  if (path === "/" && method === "GET") return indexPage(ctx);
  let m = path.match(/^\/c\/pay\/([^/]+)(?:\/(authenticate))?\/?$/);
  if (m) return handleCheckout(ctx, method, decodeURIComponent(m[1]), m[2], form);
  m = path.match(/^\/authenticate\/([^/]+)\/?$/);
  if (m) return handleAuthenticate(ctx, method, decodeURIComponent(m[1]), form);
  m = path.match(/^\/i\/([^/]+)(?:\/(pdf|pay))?\/?$/);
  if (m) return handleInvoice(ctx, method, decodeURIComponent(m[1]), m[2], form);
  m = path.match(/^\/p\/session\/([^/]+)(?:\/(cancel))?\/?$/);
  if (m) return handlePortal(ctx, method, decodeURIComponent(m[1]), m[2], form);
  m = path.match(/^\/receipts\/([^/]+)$/);
  if (m && method === "GET") {
    const charge = findObject(ctx.state, decodeURIComponent(m[1]), "charge");
    if (!charge) return notFound("Receipt");
    return html(layout("Receipt — Stripe sandbox", `<main><section><h1>Receipt</h1><p>${escapeHtml(formatAmount(charge.amount, charge.currency))} paid${charge.amount_refunded ? `, ${escapeHtml(formatAmount(charge.amount_refunded, charge.currency))} refunded` : ""}.</p></section></main>`));
  }
  return null;
}
