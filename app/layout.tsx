import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Creditdesk", template: "%s · Creditdesk" },
  description: "AI credits for chatbot platforms: balances, batches, usage and purchases.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">{children}</body>
    </html>
  );
}
