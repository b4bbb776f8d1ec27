"use server";
import { AuthError } from "next-auth";
import { signIn } from "@/lib/auth/auth";

export interface LoginState {
  error?: string;
  email?: string;
}

function safeCallback(value: FormDataEntryValue | null): string {
  const path = typeof value === "string" ? value : "";
  // Only same-site paths: an open redirect after login is a phishing gift.
  return path.startsWith("/") && !path.startsWith("//") ? path : "/credit";
}

export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const email = String(formData.get("email") ?? "");
  try {
    await signIn("credentials", {
      email,
      password: String(formData.get("password") ?? ""),
      redirectTo: safeCallback(formData.get("callbackUrl")),
    });
    return {};
  } catch (error) {
    if (error instanceof AuthError) {
      if ((error as AuthError & { code?: string }).code === "rate_limited") {
        return { email, error: "Too many sign-in attempts. Wait 15 minutes and try again." };
      }
      return { email, error: "Wrong email or password." };
    }
    throw error; // the redirect after a successful sign-in
  }
}
