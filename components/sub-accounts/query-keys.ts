/** TanStack Query keys of the Sub-accounts pages. */
export const subAccountKeys = {
  all: (orgId: string) => ["sub-accounts", orgId] as const,
  list: (orgId: string) => [...subAccountKeys.all(orgId), "list"] as const,
  detail: (orgId: string, subAccountId: string) => [...subAccountKeys.all(orgId), "detail", subAccountId] as const,
};

export const subAccountUrls = {
  list: (orgId: string) => `/api/internal/orgs/${orgId}/sub-accounts`,
  detail: (orgId: string, subAccountId: string) => `/api/internal/orgs/${orgId}/sub-accounts/${subAccountId}`,
};
