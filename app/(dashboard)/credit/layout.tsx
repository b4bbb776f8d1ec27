/** My Credit with a modal slot: /credit/active opens the Active Credits dialog over the page (intercepting route). */
export default function CreditLayout({ children, modal }: { children: React.ReactNode; modal: React.ReactNode }) {
  return (
    <>
      {children}
      {modal}
    </>
  );
}
