/** TanStack Query keys of My Credit and Active Credits. */
export const creditKeys = {
  all: (orgId: string) => ["credit", orgId] as const,
  summary: (orgId: string) => [...creditKeys.all(orgId), "summary"] as const,
  batches: (orgId: string) => [...creditKeys.all(orgId), "batches"] as const,
};

export const creditUrls = {
  summary: (orgId: string) => `/api/internal/orgs/${orgId}/credit`,
  batches: (orgId: string) => `/api/internal/orgs/${orgId}/credit/batches`,
};
