/** Elements matching `selector` under `root`, looking through open shadow roots (the bench pages). */
export function deepQueryAll(root: Element | ShadowRoot, selector: string): Element[] {
  const out: Element[] = [];
  const walk = (node: Element | ShadowRoot) => {
    for (const el of node.querySelectorAll('*')) {
      if (el.matches(selector)) out.push(el);
      else if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  if (root instanceof Element && root.shadowRoot) walk(root.shadowRoot);
  walk(root);
  return out;
}
