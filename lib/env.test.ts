import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("accepts a postgres URL and fills defaults", () => {
    const env = parseEnv({ DATABASE_URL: "postgres://u:p@localhost:5432/db" });
    expect(env.DATABASE_URL).toBe("postgres://u:p@localhost:5432/db");
    expect(env.DB_POOL_MAX).toBe(10);
  });

  it("names a missing DATABASE_URL in one line", () => {
    expect(() => parseEnv({})).toThrow(new EnvError("Invalid environment: DATABASE_URL is required"));
  });

  it("names a DATABASE_URL that is not a postgres URL", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://localhost/db" })).toThrow(/DATABASE_URL must be a postgres/);
  });

  it("rejects a short AUTH_SECRET", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgres://localhost/db", AUTH_SECRET: "short" })).toThrow(/AUTH_SECRET/);
  });
});
