import { useState } from 'preact/hooks';
import { useT } from '../i18n';

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

export function Pager({ pages, next, label }: { pages: ReturnType<typeof usePages>; next?: string | null; label?: string }) {
  const t = useT();
  return (
    <nav class="pager" aria-label={label ?? t('common.pager.label')}>
      <button type="button" disabled={pages.first} onClick={pages.back}>{t('common.pager.previous')}</button>
      <button type="button" disabled={!next} onClick={() => next && pages.next(next)}>{t('common.pager.next')}</button>
    </nav>
  );
}
