// One index for every domain's tables; drizzle-kit and the client both read it.
export * from "./organizations";
export * from "./ledger";
export * from "./metering";
export * from "./billing";
export * from "./notifications";
export * from "./auto-recharge";
