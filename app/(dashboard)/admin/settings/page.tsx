import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { PlatformSettingsForm } from "@/components/admin/platform-settings-form";
import { db } from "@/db/client";
import { getSessionUser } from "@/lib/auth/context";
import { getPlatformSettings } from "@/lib/billing/auto-recharge/settings";
import { Credits } from "@/lib/ledger/credits";

export const metadata: Metadata = { title: "Platform settings" };

export default async function PlatformSettingsPage() {
  const user = await getSessionUser();
  if (!user?.isPlatformAdmin) notFound();
  const settings = await getPlatformSettings(db());
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Platform settings</h1>
        <p className="text-sm text-muted-foreground">What every organization&apos;s auto-recharge must respect.</p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Auto-recharge policy</CardTitle>
        </CardHeader>
        <CardContent>
          <PlatformSettingsForm
            values={{
              minTopUp: Credits.format(settings.minTopUpAmount),
              minRechargeAt: Credits.format(settings.minRechargeAt),
              creditPrice: (settings.creditPriceCents / 100).toFixed(2),
              maxFailures: settings.maxConsecutiveFailures,
            }}
          />
        </CardContent>
      </Card>
    </div>
  );
}
