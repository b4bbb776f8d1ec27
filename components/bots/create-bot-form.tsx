"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { createBotAction } from "@/app/(dashboard)/bots/actions";

export function CreateBotForm() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      action={(formData) =>
        startTransition(async () => {
          const result = await createBotAction(formData);
          if (result.ok) {
            setErrors({});
            toast({ title: `Bot “${formData.get("name")}” created` });
          } else setErrors(result.fieldErrors ?? { name: result.error });
        })
      }
    >
      <div className="min-w-56 flex-1">
        <Field id="bot-name" label="Bot name" error={errors.name}>
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
