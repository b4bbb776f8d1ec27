export const notificationKeys = {
  all: (orgId: string) => ["notifications", orgId] as const,
  summary: (orgId: string) => ["notifications", orgId, "summary"] as const,
  list: (orgId: string) => ["notifications", orgId, "list"] as const,
};

export interface NotificationItem {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  created_at: string;
  read: boolean;
}

export async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new Error(problem.detail ?? `Request failed (${response.status}). Reload the page; if it persists, sign in again.`);
  }
  return response.json() as Promise<T>;
}
