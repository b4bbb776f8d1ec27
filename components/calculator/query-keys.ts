/** TanStack Query keys of the credit calculator. */
export const calculatorKeys = {
  all: (orgId: string) => ["calculator", orgId] as const,
  defaults: (orgId: string) => [...calculatorKeys.all(orgId), "defaults"] as const,
};
export const calculatorUrls = { defaults: (orgId: string) => `/api/internal/orgs/${orgId}/calculator` };
