/** SPEC §10: what end users must be told about credits, on every end-user page. */
export const CREDIT_TERMS = [
  "Credits are used for AI answers in this bot.",
  "Credits are not payable out and not transferable between users.",
  "When credits run out, you can buy new credits or wait, in case a plan provides new usage.",
] as const;

export function CreditTerms() {
  return (
    <section aria-label="About credits" className="rounded-md border border-border bg-muted/40 p-4 text-sm">
      <ul className="grid gap-1">
        {CREDIT_TERMS.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  );
}
