import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { freePort, startEmbeddedPostgres, type EmbeddedCluster } from "../db/embedded";
import { runMigrations } from "../db/migrate";

/**
 * Integration tests run against real Postgres: DATABASE_URL's server if set, else a throwaway embedded
 * cluster. Migrations run once into a template database; every test file clones it (see test/db.ts),
 * so files are isolated and can run in parallel.
 */
declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplateDb: string;
  }
}

let cluster: EmbeddedCluster | undefined;
let dataDir: string | undefined;

export default async function setup(project: TestProject) {
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "/postgres";
    serverUrl = url.toString();
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "creditdesk-test-pg-"));
    chmodSync(dataDir, 0o755); // the postgres OS user must traverse it when we run as root
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "data"), port: await freePort(), persistent: false });
    serverUrl = cluster.url("postgres");
  }
  const template = `creditdesk_tpl_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${template}`;
  await runMigrations(templateUrl.toString());
  await admin.end();

  project.provide("pgServerUrl", serverUrl);
  project.provide("pgTemplateDb", template);

  return async () => {
    const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists ${template} with (force)`).catch(() => {});
    await cleanup.end();
    if (cluster) await cluster.stop().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
