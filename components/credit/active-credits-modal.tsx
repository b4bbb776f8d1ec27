"use client";
import { useRouter } from "next/navigation";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { ActiveCreditsView } from "./active-credits";

/** /credit/active opened from My Credit: a Radix dialog over the page; closing goes back. */
export function ActiveCreditsModal({ orgId }: { orgId: string }) {
  const router = useRouter();
  return (
    <Dialog open onOpenChange={(open) => !open && router.back()}>
      <DialogContent className="max-w-4xl">
        <DialogHeader>
          <DialogTitle>Active Credits</DialogTitle>
          <DialogDescription>Each row is one batch of credits, with its own balance and expiry.</DialogDescription>
        </DialogHeader>
        <ActiveCreditsView orgId={orgId} />
      </DialogContent>
    </Dialog>
  );
}
