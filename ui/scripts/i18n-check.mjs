// Fails on a string of the UI that is not translated, so none slips in:
//   - text in JSX, and the visible attributes (title, aria-label,
//     placeholder, alt, label), must come from t(), not be written inline;
//   - string literals elsewhere that read as prose (a capitalised word, or
//     two words) must too, unless the line says `i18n-ignore` and why;
//   - every language has the same keys as English, with the same
//     {{placeholders}}, and no empty string;
//   - every key used by t('…') exists, and every key is used.
// Usage: node scripts/i18n-check.mjs [src-dir]  (exits 1 and lists the problems)
// Written here because no maintained linter reads Preact's JSX and an
// i18next setup of JSON files per page together; it uses TypeScript's own parser.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const VISIBLE = new Set(['title', 'aria-label', 'aria-description', 'placeholder', 'alt', 'label', 'aria-valuetext']);
// A word that starts with a capital (not inside camelCase), or two words.
const PROSE = /(^|[^\p{L}])\p{Lu}\p{Ll}+|\p{L}{2,}[,.:;!?…]?\s+\p{L}{2,}/u;
// Names that are the same in every language.
const BRAND = new Set(['AIMA']);
const LETTER = /\p{L}/u;

function files(dir, ext) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p, ext);
    return ext.some((e) => name.endsWith(e)) ? [p] : [];
  });
}

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

const placeholders = (s) => new Set([...String(s).matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]));
const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
// i18next's plural forms: the key `items` is used as items_one, items_other...
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every problem found under `src` (a folder with locales/<lang>/<page>.json). */
export function check(src) {
  const problems = [];
  const localeDir = join(src, 'locales');
  const langs = readdirSync(localeDir).filter((l) => statSync(join(localeDir, l)).isDirectory());
  const load = (lang) => {
    const all = new Map();
    for (const f of files(join(localeDir, lang), ['.json'])) {
      const page = relative(join(localeDir, lang), f).replace(/\.json$/, '');
      try {
        for (const [k, v] of flatten(JSON.parse(readFileSync(f, 'utf8')))) all.set(`${page}.${k}`, v);
      } catch (e) {
        problems.push(`${relative(src, f)}: not JSON: ${e.message}`);
      }
    }
    return all;
  };
  const en = load('en');
  for (const lang of langs) {
    const other = lang === 'en' ? en : load(lang);
    for (const [k, v] of other) {
      if (typeof v !== 'string' || !v.trim()) problems.push(`locales/${lang}: ${k} is empty`);
      if (lang === 'en') continue;
      if (!en.has(k)) problems.push(`locales/${lang}: ${k} is not an English key`);
      else if (!sameSet(placeholders(v), placeholders(en.get(k))))
        problems.push(`locales/${lang}: ${k} has placeholders {${[...placeholders(v)]}} but English has {${[...placeholders(en.get(k))]}}`);
    }
    for (const k of en.keys()) if (!other.has(k)) problems.push(`locales/${lang}: ${k} is not translated`);
  }

  const used = new Set();
  const prefixes = new Set();
  for (const file of files(src, ['.tsx', '.ts'])) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const where = (node) => {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      return { at: `${relative(src, file)}:${line + 1}`, ignored: /i18n-ignore/.test(lines[line] ?? '') };
    };
    const report = (node, what) => {
      const w = where(node);
      if (!w.ignored) problems.push(`${w.at}: ${what}`);
    };
    const isT = (call) => {
      const e = call.expression;
      return (ts.isIdentifier(e) && e.text === 't') || (ts.isPropertyAccessExpression(e) && e.name.text === 't');
    };
    const visit = (node) => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
      if (ts.isCallExpression(node) && isT(node) && node.arguments.length) {
        let key = node.arguments[0];
        while (ts.isAsExpression(key) || ts.isParenthesizedExpression(key)) key = key.expression;
        if (ts.isStringLiteralLike(key)) used.add(key.text);
        else if (ts.isTemplateExpression(key)) prefixes.add(key.head.text);
        for (const arg of node.arguments.slice(1)) visit(arg);
        return;
      }
      // Code shown as code (a command, a path) is not translated.
      if (ts.isJsxElement(node) && node.openingElement.tagName.getText(sf) === 'code') return;
      if (ts.isJsxText(node) && LETTER.test(node.text) && !BRAND.has(node.text.trim())) {
        report(node, `text "${node.text.trim()}" is not translated`);
      } else if (ts.isJsxAttribute(node)) {
        const name = node.name.getText(sf);
        const init = node.initializer;
        if (VISIBLE.has(name) && init) {
          const lit = ts.isStringLiteral(init) ? init : ts.isJsxExpression(init) && init.expression && ts.isStringLiteralLike(init.expression) ? init.expression : null;
          if (lit && LETTER.test(lit.text)) report(node, `${name}="${lit.text}" is not translated`);
          else if (init && ts.isJsxExpression(init) && init.expression) visit(init.expression);
          return;
        }
        // Attributes that are not shown (class, href, id, data-*, ...) may
        // hold any string; code inside them (a handler) is still read.
        const expr = init && ts.isJsxExpression(init) ? init.expression : undefined;
        if (expr && !ts.isStringLiteralLike(expr) && !ts.isTemplateExpression(expr)) visit(expr);
        return;
      } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        const parent = node.parent;
        // A key, a type, or a value compared against (e.key === 'Enter') is not shown.
        const compared = ts.isBinaryExpression(parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(parent.operatorToken.kind);
        const isKey = (ts.isPropertyAssignment(parent) && parent.name === node) || ts.isElementAccessExpression(parent) || ts.isLiteralTypeNode(parent) || ts.isCaseClause(parent) || compared;
        if (!isKey && PROSE.test(node.text)) report(node, `string "${node.text}" reads as prose: translate it, or mark the line i18n-ignore`);
      } else if (ts.isTemplateExpression(node)) {
        const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
        if (PROSE.test(parts)) report(node, `template "${node.getText(sf).slice(0, 60)}" reads as prose: translate it, or mark the line i18n-ignore`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const base = (k) => k.replace(PLURAL, '');
  for (const k of used) {
    if (!en.has(k) && ![...en.keys()].some((e) => base(e) === k || e.startsWith(`${k}.`)))
      problems.push(`t('${k}') has no English string`);
  }
  for (const k of en.keys()) {
    if (!used.has(k) && !used.has(base(k)) && ![...prefixes].some((p) => k.startsWith(p)))
      problems.push(`locales/en: ${k} is never used`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '../src');
  const problems = check(src);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} untranslated or inconsistent string(s) in the UI`);
    process.exit(1);
  }
  console.log('every UI string is translated');
}
