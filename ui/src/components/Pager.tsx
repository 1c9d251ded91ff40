import { useState } from 'preact/hooks';

/**
 * Cursor paging as the API does it: the cursors of the pages seen so far
 * (the first page has none), so Previous goes back without the API
 * offering backward cursors.
 */
export function usePages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1],
    first: cursors.length < 2,
    back: () => setCursors((c) => c.slice(0, -1)),
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    reset: () => setCursors([null]),
  };
}

export function Pager({ pages, next, label = 'Pages' }: { pages: ReturnType<typeof usePages>; next?: string | null; label?: string }) {
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={pages.first} onClick={pages.back}>Previous</button>
      <button type="button" disabled={!next} onClick={() => next && pages.next(next)}>Next</button>
    </nav>
  );
}
