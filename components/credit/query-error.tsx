"use client";
import { Button } from "@/components/ui/button";

/** An error that says what happened and what to do, with a retry. */
export function QueryError({ error, onRetry, what }: { error: Error; onRetry: () => void; what: string }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-medium">Could not load {what}.</p>
      <p className="mt-1">{error.message}</p>
      <Button variant="outline" size="sm" className="mt-3" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}
