import { afterEach, describe, expect, it, vi } from "vitest";
import { NotFoundError } from "@/lib/errors";
import { batchEntry } from "./usage-events";

describe("batchEntry", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers a charged event 201 with its result and a domain error with its own status and code", () => {
    const result = { id: "e1", status: "charged" as const, charged: "0.5", pool: "owner" as const };
    expect(batchEntry(0, result)).toEqual({ index: 0, status: 201, result });
    const notFound = batchEntry(3, new NotFoundError("Bot", { bot_id: "b" }));
    expect(notFound).toMatchObject({ index: 3, status: 404, error: { code: "not_found" } });
  });

  it("turns an unexpected error into that event's 500 (the others may be committed), logged and not shown", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const entry = batchEntry(7, new Error("connection terminated: password=hunter2"));
    expect(entry).toMatchObject({ index: 7, status: 500, error: { code: "internal_error" } });
    expect(JSON.stringify(entry)).not.toContain("hunter2");
    expect(logged).toHaveBeenCalledOnce();
  });
});
