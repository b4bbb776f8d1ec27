const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in URLs are user input: check the shape before Postgres sees it (a bad uuid would be a 500). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
