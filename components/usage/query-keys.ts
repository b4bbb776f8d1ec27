/** TanStack Query keys of Usage & Reports. A range is {days} or {from,to}. */
export type RangeParams = { days: number } | { from: string; to: string };

export function rangeQuery(range: RangeParams): string {
  return "days" in range ? `days=${range.days}` : `from=${range.from}&to=${range.to}`;
}

export const usageKeys = {
  all: (orgId: string) => ["usage", orgId] as const,
  report: (orgId: string, range: RangeParams) => [...usageKeys.all(orgId), "report", rangeQuery(range)] as const,
  /** The agency's split by sub-account (agency admins only; the server refuses anyone else). */
  subAccounts: (orgId: string, range: RangeParams) => [...usageKeys.all(orgId), "sub-accounts", rangeQuery(range)] as const,
};

export const usageUrls = {
  report: (orgId: string, range: RangeParams) => `/api/internal/orgs/${orgId}/usage?${rangeQuery(range)}`,
  subAccounts: (orgId: string, range: RangeParams) => `/api/internal/orgs/${orgId}/usage?${rangeQuery(range)}&split=sub_account`,
  csv: (orgId: string, range: RangeParams, split?: "sub_account") =>
    `/api/internal/orgs/${orgId}/usage/csv?${rangeQuery(range)}${split ? `&split=${split}` : ""}`,
};
