"use client";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import { createBotAction } from "@/app/(dashboard)/bots/actions";

export function CreateBotForm() {
  const { errors, pending, onSubmit } = useActionForm(createBotAction, { success: "Bot created", resetOnSuccess: true });
  return (
    <form className="flex flex-wrap items-end gap-3" onSubmit={onSubmit}>
      <div className="min-w-56 flex-1">
        <Field id="bot-name" label="Bot name" error={errors.name ?? errors.form}>
          <Input id="bot-name" name="name" required aria-invalid={Boolean(errors.name)} />
        </Field>
      </div>
      <div className="w-48">
        <Field id="bot-type" label="Bot type" error={errors.type}>
          <Select id="bot-type" name="type" defaultValue="language_model">
            <option value="language_model">Language model</option>
            <option value="coding">Coding</option>
          </Select>
        </Field>
      </div>
      <Button type="submit" disabled={pending}>
        Create bot
      </Button>
    </form>
  );
}
