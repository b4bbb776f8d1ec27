import { DEMO_PASSWORD, DEMO_USERS } from "../../db/seed";

export function printDemoLogins(): void {
  console.log("Demo logins (password for all: %s):", DEMO_PASSWORD);
  console.log("  %s  owner of Zeta Studio (bots Helpdesk and CodePilot)", DEMO_USERS.owner);
  console.log("  %s  admin of Northwind Agency and its three sub-accounts", DEMO_USERS.agency);
  console.log("  %s  user of the sub-account Bluebird Bakery", DEMO_USERS.sub);
  console.log("  %s  platform admin", DEMO_USERS.admin);
}
