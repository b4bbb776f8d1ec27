import { notFound } from "next/navigation";
import { SandboxBanner } from "@/components/billing/sandbox-banner";
import { db } from "@/db/client";
import { getPublicBot } from "@/lib/billing/end-user-view";

/** Public end-user pages of one bot: no dashboard shell, no sign-in; identity comes from a signed link. */
export default async function EndUserLayout({ children, params }: { children: React.ReactNode; params: Promise<{ bot: string }> }) {
  const { bot: botId } = await params;
  const bot = await getPublicBot(db(), botId);
  if (!bot) notFound();
  return (
    <div className="min-h-screen bg-background">
      <SandboxBanner />
      <header className="border-b border-border px-4 py-3">
        <div className="mx-auto max-w-3xl">
          <p className="text-xs text-muted-foreground">Credits for</p>
          <p className="font-semibold">{bot.name}</p>
        </div>
      </header>
      <main id="main" className="mx-auto grid max-w-3xl gap-6 p-4">
        {children}
      </main>
    </div>
  );
}
