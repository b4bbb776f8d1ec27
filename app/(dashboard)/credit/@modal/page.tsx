/** /credit itself: no modal (also closes it on a soft navigation back to /credit). */
export default function NoModal() {
  return null;
}
