import { describe, expect, it } from "vitest";
import { checkConnection } from "./dev-database";

describe("checkConnection (the dev launcher's database check)", () => {
  it("names a DATABASE_URL that is not a postgres URL in one line", async () => {
    await expect(checkConnection("mysql://localhost/db")).rejects.toThrow(/^DATABASE_URL must be a postgres:\/\/ URL/);
  });

  it("says which server could not be reached, without a stack trace in the message", async () => {
    const error = await checkConnection("postgres://u:p@127.0.0.1:1/creditdesk").catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("Cannot connect to DATABASE_URL (127.0.0.1:1/creditdesk): ECONNREFUSED");
  });
});
