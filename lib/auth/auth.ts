import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { db } from "@/db/client";
import { verifyCredentials } from "./verify-credentials";
import { clientIp } from "./client-ip";

class RateLimitedSignin extends CredentialsSignin {
  code = "rate_limited";
}

// The token names the user and nothing they may do: rights (the platform-admin flag, memberships) are read
// from the database on each request (lib/auth/context.ts), so revoking one takes effect at once.
declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string };
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const result = await verifyCredentials(db(), credentials, clientIp(request.headers));
        if (result.ok) return result.user;
        if (result.reason === "rate_limited") throw new RateLimitedSignin();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub as string;
      return session;
    },
  },
});
