import { headers } from "next/headers";
import { env } from "@/lib/env";

/** The app's public base URL for Checkout return links: APP_URL, else the request's host. */
export async function appBaseUrl(): Promise<string> {
  const configured = env().APP_URL;
  if (configured) return configured.replace(/\/$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}
