import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CreateBotForm } from "@/components/bots/create-bot-form";
import { FreeReserveForm } from "@/components/bots/free-reserve-form";
import { db } from "@/db/client";
import { requireOrgContext } from "@/lib/auth/context";
import { listBots } from "@/lib/bots/bots";
import { Credits } from "@/lib/ledger/credits";

export const metadata: Metadata = { title: "Bots" };

const TYPE_LABEL = { language_model: "Language model", coding: "Coding" } as const;

export default async function BotsPage() {
  const ctx = await requireOrgContext();
  const bots = await listBots(db(), ctx.org.id);
  const isAdmin = ctx.role === "admin";
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Bots</h1>
        <p className="text-sm text-muted-foreground">
          Language-model and coding bots share this organization&apos;s credits. The free reserve limits what free visitors may use of them.
        </p>
      </div>
      {isAdmin ? (
        <Card>
          <CardHeader>
            <CardTitle>New bot</CardTitle>
          </CardHeader>
          <CardContent>
            <CreateBotForm />
          </CardContent>
        </Card>
      ) : null}
      {bots.length === 0 ? (
        <Card>
          <CardContent className="p-5 text-sm text-muted-foreground">No bots yet. Create one, then send its id with every metering call.</CardContent>
        </Card>
      ) : (
        bots.map((bot) => (
          <Card key={bot.id} aria-labelledby={`bot-${bot.id}`}>
            <CardHeader className="flex-row items-center justify-between gap-3">
              <div>
                <h2 id={`bot-${bot.id}`} className="text-base font-semibold">
                  {bot.name}
                </h2>
                <p className="font-mono text-xs text-muted-foreground">bot_id {bot.id}</p>
              </div>
              <Badge variant={bot.type === "coding" ? "paid" : "outline"}>{TYPE_LABEL[bot.type]}</Badge>
            </CardHeader>
            <CardContent>
              <FreeReserveForm
                botId={bot.id}
                botName={bot.name}
                perPeriod={Credits.format(bot.freeReservePerPeriod)}
                answersPerVisitorPerDay={bot.freeAnswersPerVisitorPerDay}
                disabled={!isAdmin}
              />
              <p className="mt-4 text-sm">
                <Link className="underline" href={`/bots/${bot.id}`} aria-label={`End-user packs, plans and end users of ${bot.name}`}>
                  End-user packs, plans and end users →
                </Link>
              </p>
            </CardContent>
          </Card>
        ))
      )}
    </div>
  );
}
