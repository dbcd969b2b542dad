/**
 * The shadow root of the first `selector` under `root` (searching through shadow roots), for
 * play functions: Testing Library queries stop at shadow boundaries.
 */
export function shadow(root: ParentNode, selector: string): ShadowRoot {
  const found = deepQuery(root, selector);
  if (!found?.shadowRoot) throw new Error(`no ${selector} with a shadow root`);
  return found.shadowRoot;
}

/** The first element matching `selector` under `root`, looking inside open shadow roots too. */
export function deepQuery<E extends Element = HTMLElement>(root: ParentNode, selector: string): E | null {
  const direct = root.querySelector<E>(selector);
  if (direct) return direct;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) {
      const inner = deepQuery<E>(el.shadowRoot, selector);
      if (inner) return inner;
    }
  }
  return null;
}
