/**
 * npm run bench:ledger — ledger throughput on a throwaway database (on DATABASE_URL's server, else an
 * embedded cluster; it is migrated and
 * filled with realistic history first). Every debit is the full verb: usage event, allocations,
 * consume entries, batch update and the usage_daily rollup.
 *
 * Prints progress, then as its LAST line one JSON object:
 *   hot_debits_per_s, hot_debit_p99_ms, spread_debits_per_s, hold_capture_pairs_per_s,
 *   baseline_hot_debits_per_s (+ a few extras).
 *
 * Env: BENCH_SECONDS (per phase, default 8), BENCH_CONCURRENCY (32), BENCH_PREFILL_EVENTS (200000).
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { createDb, type Db } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { createThrowawayDatabase } from "@/db/throwaway";
import {
  captureHold,
  consumptionOrderSql,
  debit,
  debitMany,
  getOrCreateOrgAccount,
  grantBatch,
  placeHold,
  verifyLedger,
  type DebitInput,
} from "@/lib/ledger";
import { FLUSHES_IN_FLIGHT, ledgerQueue, mixedFlushStats } from "@/lib/ledger/flush-queue";
import { cpuPerRequest, sampleCpu } from "./cpu";
import { percentile } from "./percentile";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PREFILL = Number(process.env.BENCH_PREFILL_EVENTS ?? 200_000);
const SPREAD_ACCOUNTS = 1000;
const DAY = 86_400_000;
const CATEGORIES = ["llm", "llm", "llm", "web_search", "speech_to_text", "code_artifact"] as const;

const log = (...a: unknown[]) => console.error("[bench:ledger]", ...a);

async function newAccount(db: Db, name: string) {
  const [org] = (await db.execute(sql`insert into organizations (name) values (${name}) returning id`)) as unknown as { id: string }[];
  const acc = await getOrCreateOrgAccount(db, org.id);
  const [bot] = (await db.execute(
    sql`insert into bots (organization_id, name, type) values (${org.id}, ${name + " bot"}, 'language_model') returning id`,
  )) as unknown as { id: string }[];
  return { orgId: org.id, accountId: acc.id, botId: bot.id };
}

async function fund(db: Db, accountId: string, credits: bigint) {
  const now = new Date(Date.now() - 100 * DAY);
  const c = (n: bigint) => n * 1_000_000n;
  await grantBatch(db, { accountId, type: "free", source: "signup_bonus", amount: c(credits / 10n), expiresAt: new Date(Date.now() + 30 * DAY), now });
  await grantBatch(db, { accountId, type: "paid", source: "plan", amount: c(credits / 2n), expiresAt: new Date(Date.now() + 20 * DAY), now });
  await grantBatch(db, { accountId, type: "paid", source: "top_up", amount: c(credits), now });
}

async function phase(name: string, op: (worker: number) => Promise<void>): Promise<{ perS: number; p50: number; p99: number; n: number; errors: number; cpuMsPerOp: { node: number; postgres: number } }> {
  const lat: number[] = [];
  let errors = 0;
  const cpuBefore = sampleCpu(undefined);
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await op(w);
          lat.push(performance.now() - t0);
        } catch (e) {
          errors++;
          if (errors < 5) log(name, "error:", e instanceof Error ? e.message : e);
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  // CPU per operation: this process (the ledger's Node side) and Postgres; on 2 cores, which one is full?
  const { client: nodeMs, postgres: postgresMs } = cpuPerRequest(cpuBefore, sampleCpu(undefined), lat.length);
  const res = { perS: Math.round(lat.length / elapsed), p50: +percentile(lat, 50).toFixed(2), p99: +percentile(lat, 99).toFixed(2), n: lat.length, errors, cpuMsPerOp: { node: nodeMs, postgres: postgresMs } };
  log(name, JSON.stringify(res));
  return res;
}

/** The naive baseline: an interactive transaction per debit with SELECT … FOR UPDATE on the batches. */
async function naiveDebit(db: Db, accountId: string, orgId: string, botId: string, amount: bigint) {
  await db.transaction(async (tx) => {
    const batches = (await tx.execute(
      sql`select b.id, b.remaining - b.held as free from batches b
           where b.account_id = ${accountId} and b.remaining > b.held and b.voided_at is null and b.added_at <= now()
             and (b.expires_at is null or b.expires_at > now())
           order by ${sql.raw(consumptionOrderSql("b"))} for update`,
    )) as unknown as { id: string; free: string }[];
    let need = amount;
    const allocs: { id: string; amt: bigint }[] = [];
    for (const b of batches) {
      if (need === 0n) break;
      const x = BigInt(b.free) < need ? BigInt(b.free) : need;
      allocs.push({ id: b.id, amt: x });
      need -= x;
    }
    if (need > 0n) throw new Error("insufficient");
    const ev = randomUUID();
    await tx.execute(sql`insert into usage_events (id, organization_id, account_id, bot_id, actor, category, quantities, cost, charged, pool, occurred_at)
                         values (${ev}, ${orgId}, ${accountId}, ${botId}, 'operator', 'llm', '{"input_tokens":500}', ${amount.toString()}::bigint, ${amount.toString()}::bigint, 'owner', now())`);
    for (const a of allocs) {
      await tx.execute(sql`update batches set remaining = remaining - ${a.amt.toString()}::bigint where id = ${a.id}`);
      await tx.execute(sql`insert into usage_allocations (usage_event_id, batch_id, amount) values (${ev}, ${a.id}, ${a.amt.toString()}::bigint)`);
      await tx.execute(sql`insert into ledger_entries (account_id, batch_id, kind, remaining_delta, usage_event_id) values (${accountId}, ${a.id}, 'consume', ${(-a.amt).toString()}::bigint, ${ev})`);
    }
    await tx.execute(sql`insert into usage_daily as d (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
                         values (${orgId}, (now() at time zone 'UTC')::date, ${botId}, 'llm', 'owner', 'operator', ${amount.toString()}::bigint, ${amount.toString()}::bigint, 0, 1)
                         on conflict on constraint usage_daily_group_unique do update set cost = d.cost + excluded.cost,
                           charged = d.charged + excluded.charged, events = d.events + 1`);
  });
}

async function main() {
  // A fresh database on DATABASE_URL's server (or an embedded cluster), dropped afterwards.
  const database = await createThrowawayDatabase("bench_ledger");
  const url = database.url;
  await runMigrations(url);
  const db = createDb(url, { max: 4 });
  const setup = createDb(url, { max: 8 });
  try {
    // ---- realistic fill: 1,000 spread accounts + hot accounts, PREFILL events of history ----
    log("filling…");
    const hot = await newAccount(setup, "hot");
    const hold = await newAccount(setup, "hold-hot");
    const base = await newAccount(setup, "baseline-hot");
    for (const a of [hot, hold, base]) await fund(setup, a.accountId, 10_000_000n);
    const spread: Awaited<ReturnType<typeof newAccount>>[] = [];
    for (let i = 0; i < SPREAD_ACCOUNTS; i += 50) {
      const made = await Promise.all(Array.from({ length: 50 }, (_, j) => newAccount(setup, `spread-${i + j}`)));
      await Promise.all(made.map((a) => fund(setup, a.accountId, 100_000n)));
      spread.push(...made);
    }
    let filled = 0;
    const t0 = Date.now();
    while (filled < PREFILL) {
      const n = Math.min(5000, PREFILL - filled);
      const inputs: DebitInput[] = Array.from({ length: n }, (_, i) => {
        const a = spread[(filled + i) % spread.length];
        return {
          accountId: a.accountId,
          botId: a.botId,
          amount: BigInt(500 + ((filled + i) % 5000)),
          category: CATEGORIES[i % CATEGORIES.length],
          quantities: { input_tokens: 400, output_tokens: 300 },
          occurredAt: new Date(Date.now() - ((filled + i) % 90) * DAY),
        };
      });
      await debitMany(setup, inputs);
      filled += n;
    }
    // A database in steady state is vacuumed too: otherwise autovacuum's first pass over the fill (insert
    // thresholds) lands in the middle of a measured phase and takes one of the two cores.
    await setup.execute(sql`vacuum (analyze)`);
    await setup.execute(sql`checkpoint`);
    log(`filled ${filled} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const meta = (a: { accountId: string; botId: string }): DebitInput => ({
      accountId: a.accountId,
      botId: a.botId,
      amount: 1000n,
      category: "llm",
      quantities: { input_tokens: 500, output_tokens: 200 },
    });
    const hotInput = meta(hot);

    // warm-up
    await Promise.all(Array.from({ length: 200 }, () => debit(db, hotInput)));

    const q = ledgerQueue(db);
    const before = { ...q.stats };
    const hotRes = await phase("hot", async () => {
      await debit(db, hotInput);
    });
    const flushes = q.stats.flushes - before.flushes;
    const avgBatch = flushes ? (q.stats.items - before.items) / flushes : 0;

    let k = 0;
    const beforeSpread = { ...q.stats };
    const spreadRes = await phase("spread", async () => {
      const a = spread[(k++ * 7919) % spread.length];
      await debit(db, meta(a));
    });
    const spreadFlushes = q.stats.flushes - beforeSpread.flushes;
    const spreadAvgBatch = spreadFlushes ? (q.stats.items - beforeSpread.items) / spreadFlushes : 0;

    const beforePairs = { ...q.stats, mixed: mixedFlushStats.flushes };
    const holdRes = await phase("hold+capture", async () => {
      const h = await placeHold(db, { ...meta(hold), amount: 5000n });
      await captureHold(db, { holdId: h.holdId, amount: 3000n });
    });

    const pairFlushes = q.stats.flushes - beforePairs.flushes;
    const pairAvgBatch = pairFlushes ? (q.stats.items - beforePairs.items) / pairFlushes : 0;
    const pairMixedShare = pairFlushes ? (mixedFlushStats.flushes - beforePairs.mixed) / pairFlushes : 0;

    const baseDb = createDb(url, { max: CONCURRENCY });
    let baseRes;
    try {
      baseRes = await phase("baseline (naive SELECT … FOR UPDATE)", async () => {
        await naiveDebit(baseDb, base.accountId, base.orgId, base.botId, 1000n);
      });
    } finally {
      await baseDb.$client.end({ timeout: 5 });
    }

    log("verifying…");
    const breaches = await verifyLedger(setup);
    for (const b of breaches) log("BREACH", b.invariant, JSON.stringify(b.samples));

    const result = {
      hot_debits_per_s: hotRes.perS,
      hot_debit_p99_ms: hotRes.p99,
      spread_debits_per_s: spreadRes.perS,
      hold_capture_pairs_per_s: holdRes.perS,
      baseline_hot_debits_per_s: baseRes.perS,
      hot_vs_baseline: baseRes.perS ? +(hotRes.perS / baseRes.perS).toFixed(1) : null,
      hot_debit_p50_ms: hotRes.p50,
      spread_debit_p99_ms: spreadRes.p99,
      hold_capture_p99_ms: holdRes.p99,
      hot_avg_flush_size: +avgBatch.toFixed(1),
      spread_avg_flush_size: +spreadAvgBatch.toFixed(1),
      hold_capture_avg_flush_size: +pairAvgBatch.toFixed(1),
      hold_capture_mixed_flush_share: +pairMixedShare.toFixed(2),
      // CPU (ms) per debit (per pair for hold+capture) on each side: where the 2 cores went.
      cpu_ms_per_op: { hot: hotRes.cpuMsPerOp, spread: spreadRes.cpuMsPerOp, hold_capture: holdRes.cpuMsPerOp, baseline: baseRes.cpuMsPerOp },
      flushes_in_flight: FLUSHES_IN_FLIGHT,
      concurrency: CONCURRENCY,
      seconds_per_phase: SECONDS,
      prefill_events: filled,
      errors: hotRes.errors + spreadRes.errors + holdRes.errors + baseRes.errors,
      ledger_verify_ok: breaches.length === 0,
    };
    console.log(JSON.stringify(result));
    if (breaches.length > 0) process.exitCode = 1;
  } finally {
    await db.$client.end({ timeout: 5 });
    await setup.$client.end({ timeout: 5 });
    await database.stop();
  }
}

main().catch((e) => {
  console.error("bench:ledger failed:", e);
  process.exit(1);
});
