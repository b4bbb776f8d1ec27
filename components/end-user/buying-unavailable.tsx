/** SPEC §10 words for a visitor when the bot does not sell credits now (its organization is suspended; never said why). */
export const BUYING_UNAVAILABLE = {
  heading: "Buying credits is not available right now",
  body: (botName: string) => `${botName} is not selling credits at the moment, so nothing can be bought or charged. Credits you already have are kept. Please come back later.`,
} as const;

/** Shown instead of the Buy and Subscribe buttons while the bot does not sell credits. */
export function BuyingUnavailable({ botName }: { botName: string }) {
  return (
    <section role="status" aria-labelledby="buying-unavailable-heading" data-testid="buying-unavailable" className="grid gap-1 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <h2 id="buying-unavailable-heading" className="text-base font-semibold">
        {BUYING_UNAVAILABLE.heading}
      </h2>
      <p>{BUYING_UNAVAILABLE.body(botName)}</p>
    </section>
  );
}
