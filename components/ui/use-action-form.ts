"use client";
import { useState, useTransition, type FormEvent } from "react";
import { useCurrentOrg } from "@/components/providers/current-org";
import { useToast } from "./toast";

type Result<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string> };

/**
 * The submit logic every dashboard form shares: call a server action with the form's data, show field
 * errors (or the general one under `form`), toast on success. Uses onSubmit rather than a form action
 * on purpose: React resets a form after its action, which would wipe what the user typed whenever a
 * value is refused. The form carries the organization its page was rendered for (`_org`, see orgAction).
 */
export function useActionForm<T>(
  action: (formData: FormData) => Promise<Result<T>>,
  options: { success?: string | ((data: T) => string); resetOnSuccess?: boolean; onSuccess?: (data: T) => void } = {},
) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const orgId = useCurrentOrg();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const formData = new FormData(form);
    if (!formData.has("_org")) formData.set("_org", orgId);
    startTransition(async () => {
      const result = await action(formData);
      if (!result.ok) {
        setErrors(result.fieldErrors ?? { form: result.error });
        return;
      }
      setErrors({});
      if (options.resetOnSuccess) form.reset();
      if (options.success) toast({ title: typeof options.success === "function" ? options.success(result.data) : options.success });
      options.onSuccess?.(result.data);
    });
  };

  return { errors, pending, onSubmit, clearErrors: () => setErrors({}) };
}
