import { lang, LANGUAGES, useT, type Lang } from '../i18n';

/** The language switch: each language named in itself, so anyone finds their own. */
export function LangSwitch({ onLang }: { onLang: (l: Lang) => void }) {
  const t = useT();
  return (
    <>
      <label class="sr-only" for="lang">{t('common.language')}</label>
      <select id="lang" value={lang()} onChange={(e) => onLang((e.target as HTMLSelectElement).value as Lang)}>
        {Object.entries(LANGUAGES).map(([code, name]) => <option value={code} lang={code}>{name}</option>)}
      </select>
    </>
  );
}
