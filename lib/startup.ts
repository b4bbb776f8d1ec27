import { env, EnvError } from "./env";

// Validate every environment variable when the server starts, so a bad value stops it with one line
// naming the variable instead of failing on the first request that needs it.
try {
  env();
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
