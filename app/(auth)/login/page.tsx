import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/context";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  if (await getSessionUser()) redirect("/credit");
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-lg border border-border bg-background p-8 shadow-sm">
        <div className="mb-6">
          <p className="text-xl font-semibold">Creditdesk</p>
          <h1 className="mt-1 text-sm text-muted-foreground">Sign in to see and steer your AI credits.</h1>
        </div>
        <LoginForm callbackUrl={callbackUrl ?? "/credit"} />
      </div>
    </main>
  );
}
