import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg p-8">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-muted-foreground">This page does not exist, or you do not have access to it.</p>
      <Link className="mt-4 inline-block text-sm text-primary underline" href="/credit">
        Back to My Credit
      </Link>
    </main>
  );
}
