"use client";
import * as React from "react";
import * as ToastPrimitive from "@radix-ui/react-toast";
import { cn } from "@/lib/utils";

type ToastItem = { id: number; title: string; description?: string; variant?: "default" | "error" };
type ToastInput = Omit<ToastItem, "id">;

const ToastContext = React.createContext<(toast: ToastInput) => void>(() => {});

/** `const toast = useToast(); toast({ title: "Saved" })` — announced politely to screen readers. */
export function useToast() {
  return React.useContext(ToastContext);
}

export function Toaster({ children }: { children: React.ReactNode }) {
  const [toasts, setToasts] = React.useState<ToastItem[]>([]);
  const nextId = React.useRef(1);
  const push = React.useCallback((toast: ToastInput) => {
    const id = nextId.current++;
    setToasts((current) => [...current, { ...toast, id }]);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
        {children}
        {toasts.map((toast) => (
          <ToastPrimitive.Root
            key={toast.id}
            onOpenChange={(open) => !open && setToasts((current) => current.filter((t) => t.id !== toast.id))}
            className={cn(
              "grid gap-1 rounded-md border p-4 shadow-md",
              toast.variant === "error" ? "border-red-200 bg-red-50 text-red-900" : "border-border bg-background",
            )}
          >
            <ToastPrimitive.Title className="text-sm font-semibold">{toast.title}</ToastPrimitive.Title>
            {toast.description ? <ToastPrimitive.Description className="text-sm">{toast.description}</ToastPrimitive.Description> : null}
          </ToastPrimitive.Root>
        ))}
        <ToastPrimitive.Viewport className="fixed bottom-4 right-4 z-[100] flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2 outline-none" />
      </ToastPrimitive.Provider>
    </ToastContext.Provider>
  );
}
