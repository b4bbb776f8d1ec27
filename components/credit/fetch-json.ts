/** GET a dashboard route; a problem+json answer becomes an Error with its detail (shown to people). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: "application/json" } });
  } catch {
    throw new ApiError(0, "Could not reach the server. Check your connection, then try again.");
  }
  if (!response.ok) {
    let detail = "";
    try {
      const body = (await response.json()) as { detail?: string };
      detail = body.detail ?? "";
    } catch {}
    if (response.status === 401) throw new ApiError(401, "Your session has ended. Sign in again to continue.");
    if (response.status === 404) throw new ApiError(404, "This organization was not found, or you are no longer a member. Switch organization or sign in again.");
    if (response.status === 400) throw new ApiError(400, detail ? `Check the range: ${detail}` : "Check the values you entered.");
    throw new ApiError(response.status, `Something went wrong on our side (${response.status}). Try again in a moment.`);
  }
  return (await response.json()) as T;
}
