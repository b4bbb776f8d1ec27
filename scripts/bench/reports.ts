/**
 * npm run bench:reports — Usage & Reports and My Credit against a production build (`next build` if
 * needed, then `next start`) on a throwaway database (DATABASE_URL's server, else an embedded cluster)
 * holding one organization with BENCH_EVENTS (default 5,000,000) usage events over 90 days.
 *
 * The events are written set-based in SQL the way the ledger writes them (usage event + allocation +
 * consume entry, the usage_daily rollup, batch remaining), so reports see exactly what they would in
 * production; writing 5M through the verbs would only measure the ledger.
 *
 * Prints progress on stderr, then as its LAST line one JSON object:
 *   usage_report_ms       median time of GET /api/internal/orgs/:id/usage?days=90 (signed in, localhost)
 *   my_credit_ms          median time of GET /api/internal/orgs/:id/credit
 *   lighthouse_my_credit  Lighthouse (12.8.2, Debian Chromium) performance score of /credit, or null
 *   lighthouse_usage      the same for /usage, or null
 * Env: BENCH_EVENTS, BENCH_REQUESTS (default 40), BENCH_SKIP_LIGHTHOUSE=1.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { createThrowawayDatabase } from "@/db/throwaway";
import { createDb } from "@/db/client";
import { freePort } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { hashPassword } from "@/lib/auth/password";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { parseRange } from "@/lib/reports/arithmetic";
import { getMyCredit } from "@/lib/reports/my-credit";
import { getUsageReport } from "@/lib/reports/usage-report";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40);
const CHUNK = 500_000;
const DAY = 86_400_000;
const log = (...a: unknown[]) => console.error("[bench:reports]", ...a);
const EMAIL = "bench-owner@bench.test";
const PASSWORD = "bench-password";


async function seed(url: string) {
  const db = createDb(url, { max: 4 });
  const sql = db.$client;
  const [org] = await sql`insert into organizations (name) values ('Bench Reports Org') returning id`;
  const [user] = await sql`insert into users (email, name, password_hash) values (${EMAIL}, 'Bench Owner', ${await hashPassword(PASSWORD)}) returning id`;
  await sql`insert into memberships (user_id, organization_id, role) values (${user.id}, ${org.id}, 'admin')`;
  const bots = await sql`insert into bots (organization_id, name, type) values (${org.id}, 'Helpdesk', 'language_model'), (${org.id}, 'CodePilot', 'coding') returning id, type`;
  const lm = bots.find((b) => b.type === "language_model")!.id as string;
  const coding = bots.find((b) => b.type === "coding")!.id as string;
  const account = await getOrCreateOrgAccount(db, org.id);
  const now = Date.now();
  const { batch } = await grantBatch(db, { accountId: account.id, type: "paid", source: "top_up", amount: 1_000_000n * 1_000_000n, now: new Date(now - 100 * DAY) });
  await grantBatch(db, { accountId: account.id, type: "free", source: "signup_bonus", amount: 50_000_000n, now: new Date(now - 100 * DAY), expiresAt: new Date(now + 5 * DAY) });
  await grantBatch(db, { accountId: account.id, type: "paid", source: "plan", amount: 1_000_000_000n, now: new Date(now - 10 * DAY), expiresAt: new Date(now + 20 * DAY) });

  const t0 = performance.now();
  const span = 90 * DAY - 60_000;
  for (let start = 0; start < EVENTS; start += CHUNK) {
    const end = Math.min(EVENTS, start + CHUNK) - 1;
    await sql.unsafe(
      `with ev as (
         insert into usage_events (organization_id, account_id, bot_id, actor, category, cost, charged, uncollected, pool, occurred_at, created_at)
         select $1::uuid, $2::uuid, case when i % 3 = 0 then $4::uuid else $3::uuid end, 'operator',
                (array['llm','llm','llm','web_search','speech_to_text','code_artifact'])[1 + i % 6]::usage_category,
                1000 + (i % 50) * 100, 1000 + (i % 50) * 100, 0, 'owner',
                to_timestamp(($6::float8 - $7::float8 + (i::float8 / $8::float8) * $7::float8) / 1000),
                to_timestamp(($6::float8 - $7::float8 + (i::float8 / $8::float8) * $7::float8) / 1000)
           from generate_series($9::bigint, $10::bigint) as i
         returning id, charged, occurred_at
       ), al as (
         insert into usage_allocations (usage_event_id, batch_id, amount) select id, $5::uuid, charged from ev
       )
       insert into ledger_entries (account_id, batch_id, kind, remaining_delta, usage_event_id, created_at)
       select $2::uuid, $5::uuid, 'consume', -charged, id, occurred_at from ev`,
      [org.id, account.id, lm, coding, batch.id, now, span, EVENTS, start, end],
    );
    log(`events ${end + 1}/${EVENTS} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await sql`insert into usage_daily (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
            select organization_id, (occurred_at at time zone 'UTC')::date, bot_id, category, pool, actor, sum(cost), sum(charged), sum(uncollected), count(*)
              from usage_events where organization_id = ${org.id}
             group by 1, 2, 3, 4, 5, 6`;
  await sql`update batches b set remaining = b.amount - s.spent from (select sum(amount) as spent from usage_allocations where batch_id = ${batch.id}) s where b.id = ${batch.id}`;
  await sql`vacuum analyze`;
  log(`seeded ${EVENTS} events in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return { db, orgId: org.id as string };
}

async function waitFor(url: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`server at ${url} did not come up`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timeRoute(url: string, cookie: string): Promise<number> {
  for (let i = 0; i < 5; i++) await (await fetch(url, { headers: { cookie } })).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} → ${res.status}`);
    times.push(performance.now() - t);
  }
  return Math.round(median(times) * 10) / 10;
}

function lighthouse(url: string, cookie: string, out: string): number | null {
  const res = spawnSync(
    "npx",
    [
      "-y",
      "lighthouse@12.8.2",
      url,
      "--only-categories=performance",
      "--output=json",
      `--output-path=${out}`,
      "--quiet",
      "--chrome-flags=--headless --no-sandbox --disable-gpu",
      `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
    ],
    { env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? "/usr/bin/chromium" }, stdio: ["ignore", "ignore", "pipe"], timeout: 240_000 },
  );
  if (res.status !== 0 || !existsSync(out)) {
    log(`lighthouse failed for ${url}: ${String(res.stderr ?? "").slice(-500)}`);
    return null;
  }
  const report = JSON.parse(readFileSync(out, "utf8"));
  const audits = report.audits ?? {};
  log(`lighthouse ${url}: score ${report.categories.performance.score} FCP ${audits["first-contentful-paint"]?.displayValue} LCP ${audits["largest-contentful-paint"]?.displayValue} TBT ${audits["total-blocking-time"]?.displayValue} CLS ${audits["cumulative-layout-shift"]?.displayValue}`);
  return report.categories.performance.score;
}

async function main() {
  const { url, stop } = await createThrowawayDatabase("bench_reports");
  let server: ChildProcess | undefined;
  try {
    log("migrating", url.replace(/:[^:@/]+@/, ":***@"));
    await runMigrations(url);
    const { db, orgId } = await seed(url);

    // In-process (no HTTP): the query functions alone, for reference.
    const lib: number[] = [];
    const range = parseRange({ days: "90" }, new Date());
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await getUsageReport(db, orgId, range);
      lib.push(performance.now() - t);
    }
    const libCredit: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await getMyCredit(db, orgId);
      libCredit.push(performance.now() - t);
    }
    await db.$client.end();

    const port = await freePort();
    const env = { ...process.env, DATABASE_URL: url, AUTH_SECRET: "bench-secret-bench-secret-bench", AUTH_TRUST_HOST: "true", NEXT_TELEMETRY_DISABLED: "1", APP_URL: `http://localhost:${port}`, PORT: String(port) };
    if (!existsSync(path.join(".next", "BUILD_ID"))) {
      log("next build");
      const build = spawnSync("npx", ["next", "build"], { env, stdio: ["ignore", "ignore", "inherit"] });
      if (build.status !== 0) throw new Error("next build failed");
    }
    server = spawn("npx", ["next", "start", "--port", String(port)], { env, stdio: ["ignore", "ignore", "inherit"], detached: true });
    const base = `http://localhost:${port}`;
    await waitFor(`${base}/api/health`);

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage({ baseURL: base });
    await page.goto("/login");
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/credit/);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    await browser.close();

    const usage_report_ms = await timeRoute(`${base}/api/internal/orgs/${orgId}/usage?days=90`, cookie);
    const my_credit_ms = await timeRoute(`${base}/api/internal/orgs/${orgId}/credit`, cookie);
    log(`HTTP medians: usage ${usage_report_ms} ms, my credit ${my_credit_ms} ms; in-process: usage ${median(lib).toFixed(1)} ms, my credit ${median(libCredit).toFixed(1)} ms`);

    let lighthouse_my_credit: number | null = null;
    let lighthouse_usage: number | null = null;
    if (process.env.BENCH_SKIP_LIGHTHOUSE !== "1") {
      const dir = mkdtempSync(path.join(tmpdir(), "creditdesk-lh-"));
      lighthouse_my_credit = lighthouse(`${base}/credit`, cookie, path.join(dir, "credit.json"));
      lighthouse_usage = lighthouse(`${base}/usage`, cookie, path.join(dir, "usage.json"));
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      JSON.stringify({
        usage_report_ms,
        my_credit_ms,
        lighthouse_my_credit,
        lighthouse_usage,
        events: EVENTS,
        usage_report_lib_ms: Math.round(median(lib) * 10) / 10,
        my_credit_lib_ms: Math.round(median(libCredit) * 10) / 10,
        targets: { usage_report_ms: 150, my_credit_ms: 100, lighthouse: 0.9 },
      }),
    );
  } finally {
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {}
    }
    await stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
