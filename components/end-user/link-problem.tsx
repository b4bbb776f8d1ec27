import { CreditTerms } from "./credit-terms";

/** Shown instead of any data when a signed link is missing, forged or expired. */
export function LinkProblem({ reason }: { reason: "missing" | "invalid" | "expired" | "wrong_bot" | "not_found" }) {
  const expired = reason === "expired";
  return (
    <div className="grid gap-4" data-testid="link-problem">
      <h1 className="text-xl font-semibold">{expired ? "This link has expired" : "This link is not valid"}</h1>
      <p className="text-sm">
        {expired
          ? "For your privacy, links to your credits work for about an hour. Open the credits page again from the chat to get a fresh link."
          : "We could not open your credits with this link. Open the credits page again from the chat."}
      </p>
      <CreditTerms />
    </div>
  );
}
