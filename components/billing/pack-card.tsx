import { Badge } from "@/components/ui/badge";
import { Card, CardContent } from "@/components/ui/card";
import { pricePerCredit, type CreditPack } from "@/lib/billing/offers";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits, formatMoney } from "@/lib/format";

/** A pack as a buyer sees it: credits, bonus with its expiry, price and price per credit; `action` is the buy control. */
export function PackCard({ pack, action }: { pack: Pick<CreditPack, "id" | "name" | "description" | "credits" | "bonusCredits" | "bonusExpiresInDays" | "priceMinor" | "currency">; action: React.ReactNode }) {
  return (
    <Card aria-labelledby={`pack-${pack.id}`} data-testid="pack-card">
      <CardContent className="grid gap-2 p-5">
        <h3 id={`pack-${pack.id}`} className="text-base font-semibold">
          {pack.name}
        </h3>
        <p className="text-2xl font-semibold tabular-nums">{formatCredits(Credits.format(pack.credits))} credits</p>
        {pack.bonusCredits > 0n ? (
          <p className="text-sm">
            <Badge variant="free">+ {formatCredits(Credits.format(pack.bonusCredits))} bonus credits</Badge>{" "}
            <span className="text-muted-foreground">valid {pack.bonusExpiresInDays} days</span>
          </p>
        ) : null}
        {pack.description ? <p className="text-sm text-muted-foreground">{pack.description}</p> : null}
        <p className="text-lg font-medium">{formatMoney(pack.priceMinor, pack.currency)}</p>
        <p className="text-xs text-muted-foreground">{pricePerCredit(pack.priceMinor, pack.credits, pack.currency)} per credit</p>
        {action}
      </CardContent>
    </Card>
  );
}
