/// <reference types="vite/client" />
/**
 * Reads every `--handoff-*` token from the elements' own styles, so the Theming page lists
 * exactly what the code reads and can never fall behind it.
 *
 * A token is a `var(--handoff-name, fallback)` in a `*.styles.ts` file. The fallback is either a
 * value (often `light-dark(light, dark)`) or a private `--_alias` that stands for a system token;
 * aliases are resolved back to the public token they read, so a reader sees
 * "`--handoff-stats-background` falls back to `--handoff-color-surface-raised`".
 */
import type { CSSResult } from 'lit';

export interface Token {
  /** e.g. `--handoff-color-surface`. */
  name: string;
  /** `system` for the shared tokens every element reads, else the tags of the elements that read it. */
  usedBy: string[];
  /** The fallback as written in the styles, with private aliases resolved to public tokens. */
  fallback: string;
  /** For a `light-dark()` fallback: the two colours. */
  light?: string;
  dark?: string;
  /** The public token this one falls back to, if any. */
  fallsBackTo?: string;
  /** From the element's JSDoc (`@cssprop`) via the Custom Elements Manifest, when documented. */
  description?: string;
}

type StyleModule = Record<string, unknown>;

const styleModules = import.meta.glob<StyleModule>('../../packages/components/src/**/*.styles.ts', { eager: true });
const manifests = import.meta.glob<Manifest>('../../packages/components/custom-elements.json', {
  eager: true,
  import: 'default',
});

interface Manifest {
  modules?: { declarations?: { tagName?: string; cssProperties?: { name: string; description?: string }[] }[] }[];
}

/** The CSS text of every CSSResult a module exports. */
function cssTextOf(module: StyleModule): string {
  const results = Object.values(module).flatMap((value) => (Array.isArray(value) ? value : [value]));
  return results
    .filter((value): value is CSSResult => typeof (value as CSSResult | null)?.cssText === 'string')
    .map((value) => value.cssText)
    .join('\n');
}

/** Every `var(name, fallback)` in `css`, with nested parentheses respected. */
function* varsIn(css: string): Generator<{ name: string; fallback: string; declaredAs?: string }> {
  const start = /var\(\s*(--[\w-]+)\s*/g;
  for (let match = start.exec(css); match; match = start.exec(css)) {
    let depth = 1;
    let i = start.lastIndex;
    let comma = -1;
    for (; i < css.length && depth > 0; i++) {
      const c = css[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ',' && depth === 1 && comma < 0) comma = i;
    }
    const fallback = comma < 0 ? '' : css.slice(comma + 1, i - 1).trim();
    // The declaration this var() is the value of, e.g. `--_surface: var(--handoff-color-surface, ...)`.
    const declaredAs = /(--_[\w-]+)\s*:\s*$/.exec(css.slice(Math.max(0, match.index - 80), match.index))?.[1];
    yield { name: match[1]!, fallback, ...(declaredAs ? { declaredAs } : {}) };
  }
}

/** `light-dark(a, b)` → [a, b]. */
function lightDark(value: string): [string, string] | undefined {
  const m = /^light-dark\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(value);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** The element tag a styles file belongs to: its folder name, or `system` for the shared base. */
function ownerOf(path: string): string {
  const folder = path.split('/').at(-2) ?? '';
  return folder === 'base' ? 'system' : folder;
}

export function readTokens(): Token[] {
  const tokens = new Map<string, Token>();
  const aliases = new Map<string, string>(); // --_surface → --handoff-color-surface
  const entries = Object.entries(styleModules).map(([path, module]) => ({ owner: ownerOf(path), css: cssTextOf(module) }));

  for (const { css } of entries) {
    for (const v of varsIn(css)) if (v.declaredAs && v.name.startsWith('--handoff-')) aliases.set(v.declaredAs, v.name);
  }
  const resolve = (text: string) => text.replace(/var\((--_[\w-]+)\)/g, (whole, alias: string) => (aliases.has(alias) ? aliases.get(alias)! : whole));

  for (const { owner, css } of entries) {
    for (const v of varsIn(css)) {
      if (!v.name.startsWith('--handoff-')) continue;
      const token = tokens.get(v.name) ?? { name: v.name, usedBy: [], fallback: '' };
      if (!token.usedBy.includes(owner)) token.usedBy.push(owner);
      if (!token.fallback && v.fallback) {
        token.fallback = resolve(v.fallback);
        const pair = lightDark(v.fallback);
        if (pair) [token.light, token.dark] = pair;
        const to = /^(--handoff-[\w-]+)$/.exec(token.fallback)?.[1];
        if (to) token.fallsBackTo = to;
      }
      tokens.set(v.name, token);
    }
  }

  for (const manifest of Object.values(manifests)) {
    for (const module of manifest.modules ?? []) {
      for (const declaration of module.declarations ?? []) {
        for (const property of declaration.cssProperties ?? []) {
          const token = tokens.get(property.name);
          if (token && property.description && !token.description) token.description = property.description;
        }
      }
    }
  }

  // System tokens first, then by element, then by name.
  return [...tokens.values()].sort(
    (a, b) =>
      Number(!a.usedBy.includes('system')) - Number(!b.usedBy.includes('system')) ||
      (a.usedBy[0] ?? '').localeCompare(b.usedBy[0] ?? '') ||
      a.name.localeCompare(b.name),
  );
}
