import nodemailer from "nodemailer";
import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { emailOutbox } from "@/db/schema";

/**
 * Delivers queued mail through SMTP_URL (nodemailer). Each row is claimed with SKIP LOCKED so several
 * workers never send the same mail twice; a failure is recorded on the row and retried by later runs
 * (up to 5 attempts).
 */
export async function deliverQueuedEmails(db: DbOrTx, options: { limit?: number; transport?: nodemailer.Transporter } = {}): Promise<{ sent: number; failed: number }> {
  const smtpUrl = process.env.SMTP_URL;
  if (!smtpUrl && !options.transport) return { sent: 0, failed: 0 };
  const transport = options.transport ?? nodemailer.createTransport(smtpUrl);
  const from = process.env.MAIL_FROM ?? "Creditdesk <billing@creditdesk.local>";
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < (options.limit ?? 50); i++) {
    const done = await db.transaction(async (tx) => {
      const [mail] = await tx
        .select()
        .from(emailOutbox)
        .where(and(eq(emailOutbox.status, "queued")))
        .orderBy(asc(emailOutbox.createdAt))
        .limit(1)
        .for("update", { skipLocked: true });
      if (!mail) return false;
      const attempts = Number(mail.attempts ?? "0") + 1;
      try {
        const linkText = mail.links.length ? `\n\n${mail.links.map((l) => `${l.label}: ${l.url}`).join("\n")}` : "";
        await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text + linkText });
        await tx.update(emailOutbox).set({ status: "sent", sentAt: sql`now()`, attempts: String(attempts), error: null }).where(eq(emailOutbox.id, mail.id));
        sent++;
      } catch (error) {
        await tx
          .update(emailOutbox)
          .set({ status: attempts >= 5 ? "failed" : "queued", attempts: String(attempts), error: (error as Error).message.slice(0, 500) })
          .where(eq(emailOutbox.id, mail.id));
        failed++;
      }
      return true;
    });
    if (!done) break;
  }
  return { sent, failed };
}
