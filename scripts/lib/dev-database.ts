import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { portInUse, startEmbeddedPostgres, chooseDataDir, type EmbeddedCluster } from "../../db/embedded";
import { ensureDatabase } from "../../db/migrate";

/**
 * Where the dev tools find their database: DATABASE_URL if set; else the embedded cluster under .data/pg
 * (started here, or reused when `npm run dev` already runs it).
 */
export const DEV_DATA_DIR = path.join(process.cwd(), ".data", "pg");
export const DEV_PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
const DEV_DB_NAME = "creditdesk";

export interface DevDatabase {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

export class StartupError extends Error {}

export async function openDevDatabase(log: (line: string) => void = () => {}): Promise<DevDatabase> {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    await checkConnection(url);
    return { url, embedded: false, stop: async () => {} };
  }
  if (!Number.isInteger(DEV_PG_PORT) || DEV_PG_PORT <= 0 || DEV_PG_PORT > 65535) {
    throw new StartupError(`EMBEDDED_PG_PORT must be a port number (1-65535), got "${process.env.EMBEDDED_PG_PORT}"`);
  }
  const dataDir = chooseDataDir(DEV_DATA_DIR);
  const pidFile = path.join(dataDir, "postmaster.pid");
  let cluster: EmbeddedCluster | undefined;
  if ((await portInUse(DEV_PG_PORT)) && existsSync(pidFile) && readFileSync(pidFile, "utf8").split("\n")[3]?.trim() === String(DEV_PG_PORT)) {
    log(`Reusing the embedded Postgres already running on port ${DEV_PG_PORT}`);
  } else {
    cluster = await startEmbeddedPostgres({ dataDir: DEV_DATA_DIR, port: DEV_PG_PORT, persistent: true, log: () => {} }).catch((error: Error) => {
      throw new StartupError(error.message.split("\n")[0]);
    });
    log(`Embedded Postgres running on port ${DEV_PG_PORT} (data in ${cluster.dataDir})`);
  }
  const url = `postgres://postgres:creditdesk@127.0.0.1:${DEV_PG_PORT}/${DEV_DB_NAME}`;
  await ensureDatabase(url);
  return { url, embedded: true, stop: async () => cluster?.stop() };
}

export async function checkConnection(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error();
  } catch {
    throw new StartupError("DATABASE_URL must be a postgres:// URL, e.g. postgres://user:password@localhost:5432/creditdesk");
  }
  const client = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await client`select 1`;
  } catch (error) {
    const reason = (error as { code?: string; message?: string }).code ?? (error as Error).message;
    throw new StartupError(`Cannot connect to DATABASE_URL (${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}): ${reason}`);
  } finally {
    await client.end({ timeout: 1 }).catch(() => {});
  }
}

/** Runs a CLI main; any failure prints one line (no stack trace) and exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split("\n")[0]}`);
    if (process.env.DEBUG) console.error(error);
    process.exit(1);
  });
}
