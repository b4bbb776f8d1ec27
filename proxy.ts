import { NextResponse, type NextRequest } from "next/server";

/**
 * Cheap first gate: anonymous visitors of dashboard pages go to /login with a way back.
 * The real check (valid session, membership, role) happens server-side in the pages themselves.
 */
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/login";
  url.search = `?callbackUrl=${encodeURIComponent(request.nextUrl.pathname + request.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/credit/:path*", "/usage/:path*", "/sub-accounts/:path*", "/billing/:path*", "/bots/:path*", "/settings/:path*", "/notifications/:path*", "/calculator/:path*", "/admin/:path*"],
};
