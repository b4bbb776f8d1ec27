"use client";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import type { RatePrices } from "@/lib/metering/rate-card";
import { publishRateCardAction } from "@/app/(dashboard)/admin/rate-card/actions";

const FIELDS: { name: string; label: string; get: (p: RatePrices) => string }[] = [
  { name: "llm.small.input_per_1k_tokens", label: "LLM small · per 1K input tokens", get: (p) => p.llm.small.input_per_1k_tokens },
  { name: "llm.small.output_per_1k_tokens", label: "LLM small · per 1K output tokens", get: (p) => p.llm.small.output_per_1k_tokens },
  { name: "llm.standard.input_per_1k_tokens", label: "LLM standard · per 1K input tokens", get: (p) => p.llm.standard.input_per_1k_tokens },
  { name: "llm.standard.output_per_1k_tokens", label: "LLM standard · per 1K output tokens", get: (p) => p.llm.standard.output_per_1k_tokens },
  { name: "llm.large.input_per_1k_tokens", label: "LLM large · per 1K input tokens", get: (p) => p.llm.large.input_per_1k_tokens },
  { name: "llm.large.output_per_1k_tokens", label: "LLM large · per 1K output tokens", get: (p) => p.llm.large.output_per_1k_tokens },
  { name: "web_search.per_search", label: "WebSearch · per search", get: (p) => p.web_search.per_search },
  { name: "speech_to_text.per_minute", label: "SpeechToText · per audio minute (billed by the second)", get: (p) => p.speech_to_text.per_minute },
  { name: "code_artifact.per_artifact", label: "Code artifact · per ZIP", get: (p) => p.code_artifact.per_artifact },
  { name: "training.per_1k_tokens", label: "Training · per 1K know-how tokens", get: (p) => p.training.per_1k_tokens },
];

export function RateCardForm({ current }: { current: RatePrices }) {
  const { errors, pending, onSubmit } = useActionForm(publishRateCardAction, { success: (data) => `Rate card version ${data.version} published` });
  return (
    <form className="grid gap-4" onSubmit={onSubmit}>
      <div className="grid gap-4 sm:grid-cols-2">
        {FIELDS.map((field) => (
          <Field key={field.name} id={field.name} label={`${field.label} (credits)`} error={errors[field.name]}>
            <Input id={field.name} name={field.name} defaultValue={field.get(current)} inputMode="decimal" aria-invalid={Boolean(errors[field.name])} />
          </Field>
        ))}
        <Field id="effective_from" label="In force from (UTC; empty = now)" error={errors.effective_from}>
          <Input id="effective_from" name="effective_from" type="datetime-local" />
        </Field>
        <Field id="note" label="Note">
          <Input id="note" name="note" placeholder="Why the change" />
        </Field>
      </div>
      {errors.form ? (
        <p role="alert" className="text-sm text-destructive">
          {errors.form}
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={pending}>
          Publish as a new version
        </Button>
      </div>
    </form>
  );
}
