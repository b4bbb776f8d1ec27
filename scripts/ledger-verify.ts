/**
 * npm run ledger:verify — checks every SPEC §13 invariant of the ledger on DATABASE_URL (or, unset, the
 * dev embedded database of `npm run dev`), prints each breach and exits non-zero on any.
 */
import { createDb } from "@/db/client";
import { LEDGER_INVARIANTS, verifyLedger } from "@/lib/ledger/verify";
import { openDevDatabase } from "./lib/dev-database";

async function main() {
  const database = await openDevDatabase();
  const db = createDb(database.url, { max: 1 });
  try {
    const started = Date.now();
    const breaches = await verifyLedger(db, { sampleLimit: 5 });
    for (const b of breaches) {
      console.error(`BREACH ${b.invariant}: ${b.description} — ${b.count}${b.count > 1000 ? "+" : ""} row(s)`);
      for (const s of b.samples) console.error("  " + JSON.stringify(s));
    }
    const ms = Date.now() - started;
    if (breaches.length > 0) {
      console.error(`ledger:verify: ${breaches.length} of ${LEDGER_INVARIANTS.length} invariants breached (${ms} ms)`);
      process.exitCode = 1;
    } else {
      console.log(`ledger:verify: all ${LEDGER_INVARIANTS.length} invariants hold (${ms} ms)`);
    }
  } finally {
    await db.$client.end({ timeout: 5 });
    await database.stop();
  }
}

main().catch((e) => {
  console.error("ledger:verify failed:", e instanceof Error ? e.message : e);
  process.exit(2);
});
