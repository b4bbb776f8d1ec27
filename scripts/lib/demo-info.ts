import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DEMO_PASSWORD, DEMO_USERS } from "../../db/seed";
import type { DemoSeed } from "../../db/seed/run";

const DEMO_FILE = path.join(process.cwd(), ".data", "demo.json");

export interface DemoFile {
  api_key: string;
  organization_id: string;
  bots: { helpdesk: string; codepilot: string };
}

/** The demo API key and bot ids, kept in gitignored .data/demo.json so every later start can print them. */
export function writeDemoFile(seed: DemoSeed): DemoFile {
  const file: DemoFile = { api_key: seed.apiKey, organization_id: seed.zetaStudioId, bots: { helpdesk: seed.helpdeskBotId, codepilot: seed.codePilotBotId } };
  mkdirSync(path.dirname(DEMO_FILE), { recursive: true });
  writeFileSync(DEMO_FILE, JSON.stringify(file, null, 2), { mode: 0o600 });
  return file;
}

export function readDemoFile(): DemoFile | null {
  return existsSync(DEMO_FILE) ? (JSON.parse(readFileSync(DEMO_FILE, "utf8")) as DemoFile) : null;
}

export function printDemoLogins(): void {
  console.log("Demo logins (password for all: %s):", DEMO_PASSWORD);
  console.log("  %s  owner of Zeta Studio (bots Helpdesk and CodePilot)", DEMO_USERS.owner);
  console.log("  %s  admin of Northwind Agency and its three sub-accounts", DEMO_USERS.agency);
  console.log("  %s  user of the sub-account Bluebird Bakery", DEMO_USERS.sub);
  console.log("  %s  platform admin", DEMO_USERS.admin);
  const demo = readDemoFile();
  if (demo) {
    console.log("Metering API (see README → Metering API): key %s", demo.api_key);
    console.log("  bot_id Helpdesk %s · CodePilot %s   (also in .data/demo.json)", demo.bots.helpdesk, demo.bots.codepilot);
  }
}
