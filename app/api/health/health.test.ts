import { describe, expect, it } from "vitest";
import { GET, POST } from "./route";
import { POST as echo } from "./[id]/echo/route";

// The benchmark's floor and ceiling routes: they must answer 200 without a database, whatever the body.
describe("health routes", () => {
  it("GET answers ok", async () => {
    const response = GET();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("POST reads a JSON body and says what it was, and survives one that is not JSON", async () => {
    const post = (body: string) => POST(new Request("http://x/api/health", { method: "POST", body }));
    expect(await (await post('{"a":1}')).json()).toEqual({ ok: true, echo: "object" });
    const bad = await post("{not json");
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ ok: true, echo: null });
  });

  it("POST /api/health/{id}/echo answers with the path's segment", async () => {
    const call = (body: string) =>
      echo(new Request("http://x/api/health/abc/echo", { method: "POST", body }), { params: Promise.resolve({ id: "abc" }) });
    const ok = await call('{"usage":[]}');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, id: "abc", echo: "object" });
    expect(await (await call("")).json()).toEqual({ ok: true, id: "abc", echo: null });
  });
});
