"use server";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { CURRENT_ORG_COOKIE, requireOrgAccess } from "@/lib/auth/context";
import { NotFoundError } from "@/lib/errors";
import { signOut } from "@/lib/auth/auth";

export async function switchOrganization(orgId: string): Promise<void> {
  try {
    await requireOrgAccess(orgId);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  (await cookies()).set(CURRENT_ORG_COOKIE, orgId, { httpOnly: true, sameSite: "lax", path: "/", secure: process.env.NODE_ENV === "production" && process.env.AUTH_URL?.startsWith("https") === true });
  redirect("/credit");
}

export async function signOutAction(): Promise<void> {
  (await cookies()).delete(CURRENT_ORG_COOKIE);
  await signOut({ redirectTo: "/login" });
}
