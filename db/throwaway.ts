import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort, startEmbeddedPostgres } from "./embedded";

/**
 * A database to throw away after a run (e2e server, benchmarks): a new database on DATABASE_URL's
 * server when it is set, else a whole embedded cluster in a temp dir. `stop` drops or deletes it.
 */
export async function createThrowawayDatabase(label: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const serverUrl = process.env.DATABASE_URL;
    const name = `creditdesk_${label}_${Date.now()}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      stop: async () => {
        const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
        await cleanup.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
        await cleanup.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), `creditdesk-${label}-pg-`));
  chmodSync(dir, 0o755); // the postgres OS user must traverse it when we run as root
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: await freePort(), persistent: false });
  return {
    url: cluster.url("postgres"),
    stop: async () => {
      await cluster.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
