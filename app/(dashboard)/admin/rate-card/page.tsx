import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { RateCardForm } from "@/components/admin/rate-card-form";
import { db } from "@/db/client";
import { getSessionUser } from "@/lib/auth/context";
import { formatDateTime } from "@/lib/format";
import { listRateCards, withStatus } from "@/lib/metering/rate-card";

export const metadata: Metadata = { title: "Rate card" };

export default async function RateCardPage() {
  const user = await getSessionUser();
  if (!user?.isPlatformAdmin) notFound();
  const cards = withStatus(await listRateCards(db()));
  const current = cards.find((c) => c.status === "current") ?? cards[0];
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Rate card</h1>
        <p className="text-sm text-muted-foreground">Credits per unit for each kind of usage. Publishing makes a new version; events are always priced with the version in force when they occurred.</p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>New version (prefilled with version {current?.version})</CardTitle>
        </CardHeader>
        <CardContent>{current ? <RateCardForm current={current.prices} /> : null}</CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Versions</CardTitle>
        </CardHeader>
        <CardContent>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Version</TableHead>
                <TableHead>In force from</TableHead>
                <TableHead>LLM standard in / out per 1K</TableHead>
                <TableHead>WebSearch</TableHead>
                <TableHead>Note</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {cards.map((card) => (
                <TableRow key={card.version}>
                  <TableCell>
                    {card.version}
                    {card.status === "past" ? "" : ` (${card.status})`}
                  </TableCell>
                  <TableCell>{formatDateTime(card.effectiveFrom)}</TableCell>
                  <TableCell className="tabular">
                    {card.prices.llm.standard.input_per_1k_tokens} / {card.prices.llm.standard.output_per_1k_tokens}
                  </TableCell>
                  <TableCell className="tabular">{card.prices.web_search.per_search}</TableCell>
                  <TableCell>{card.note ?? "—"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
