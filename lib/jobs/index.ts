import PgBoss from "pg-boss";
import type { Db } from "@/db/client";
import { registerLedgerJobs } from "./ledger";
import { registerNotificationJobs } from "@/lib/notifications/jobs";
import { registerAutoRechargeJobs } from "@/lib/billing/auto-recharge/jobs";
import { registerMeteringJobs } from "@/lib/metering/jobs";
import { registerBillingJobs } from "@/lib/billing/jobs";

/** Each domain's job registrar; add yours here. */
const DOMAIN_JOBS: (() => void)[] = [registerLedgerJobs, registerNotificationJobs, registerAutoRechargeJobs, registerMeteringJobs, registerBillingJobs];

/**
 * Background jobs on pg-boss over the app's own Postgres and postgres.js pool (SPEC §14).
 * Domains add jobs with `registerJob` (a name, an optional cron schedule, a handler); `startJobs`
 * creates the queues, schedules and workers of every registered job.
 */
export interface JobDefinition<T = unknown> {
  /** pg-boss queue name: letters, digits, `_` and `-`. */
  name: string;
  /** Cron (pg-boss granularity: one minute). Omit for on-demand jobs sent with `boss.send`. */
  cron?: string;
  handler: (db: Db, data: T) => Promise<unknown>;
  /** pg-boss work options, e.g. { batchSize }. */
  workOptions?: Record<string, unknown>;
  /** pg-boss queue options, e.g. { retryLimit, policy }. */
  queueOptions?: Record<string, unknown>;
}

const registry = new Map<string, JobDefinition<never>>();

export function registerJob<T>(def: JobDefinition<T>): void {
  registry.set(def.name, def as unknown as JobDefinition<never>);
}

export function registeredJobs(): JobDefinition[] {
  return [...registry.values()] as JobDefinition[];
}

/** pg's parameter conversion (pg-boss was written against pg): everything goes as text. */
function prepareValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) {
    return `{${v.map((x) => (x === null || x === undefined ? "NULL" : `"${String(prepareValue(x)).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)).join(",")}}`;
  }
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const TIMESTAMP_OIDS = new Set([1114, 1184]);

/**
 * The `db` adapter pg-boss accepts: runs its SQL on our postgres.js pool. Multi-statement commands
 * (its migrations) have no parameters and go over the simple protocol; timestamps come back as Dates
 * as pg would give them (drizzle's driver leaves them as strings).
 */
export function pgBossAdapter(db: Db): { executeSql: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> } {
  const client = db.$client;
  return {
    async executeSql(text: string, values?: unknown[]) {
      let result: unknown;
      if (values && values.length > 0) {
        result = await client.unsafe(text, values.map(prepareValue) as never[]);
      } else {
        // Its migrations carry BEGIN/COMMIT: run them on one reserved connection.
        const conn = await client.reserve();
        try {
          result = await conn.unsafe(text).simple();
        } finally {
          conn.release();
        }
      }
      const list = result as unknown[];
      const last = (Array.isArray(list) && Array.isArray(list[list.length - 1]) && (list as unknown as { columns?: unknown }).columns === undefined
        ? list[list.length - 1]
        : list) as unknown as Record<string, unknown>[] & { columns?: { name: string; type: number }[] };
      const dateCols = (last.columns ?? []).filter((c) => TIMESTAMP_OIDS.has(c.type)).map((c) => c.name);
      const rows = dateCols.length
        ? [...last].map((r) => {
            const out = { ...r };
            for (const c of dateCols) if (typeof out[c] === "string") out[c] = new Date((out[c] as string).replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
            return out;
          })
        : [...last];
      return { rows };
    },
  };
}

export interface StartJobsOptions {
  /** Run workers in this process (default true). */
  work?: boolean;
  /** Keep schedules in the database (default true). */
  schedule?: boolean;
}

/** Starts pg-boss with every registered job; returns a stop function. */
export async function startJobs(db: Db, options: StartJobsOptions = {}): Promise<() => Promise<void>> {
  for (const register of DOMAIN_JOBS) register();
  const boss = new PgBoss({ db: pgBossAdapter(db), schema: "pgboss", schedule: options.schedule ?? true } as never);
  boss.on("error", (e: Error) => console.error("[jobs] pg-boss error:", e.message));
  await boss.start();
  for (const def of registry.values()) {
    await boss.createQueue(def.name, (def.queueOptions ?? {}) as never);
    if (def.cron && options.schedule !== false) await boss.schedule(def.name, def.cron);
    if (options.work !== false) {
      await boss.work(def.name, (def.workOptions ?? {}) as never, async (jobs: { data: unknown }[]) => {
        for (const job of jobs) await def.handler(db, job.data as never);
      });
    }
  }
  return async () => {
    await boss.stop({ graceful: true, wait: true, close: false } as never);
  };
}

export { registerLedgerJobs };
