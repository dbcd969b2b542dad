import { VERSION } from '../version.js';

/** A class of this kit: carries the kit's version, so a clash can name both (docs/decisions.md D37). */
type KitClass = CustomElementConstructor & { version?: string; dependencies?: Record<string, CustomElementConstructor> };

const warned = new Set<string>();

/**
 * Defines `tag` as `ctor` in `registry`, its dependencies first. A tag already defined by the same
 * class is skipped silently; one defined by another class (another copy or version of the kit)
 * keeps the first registration and warns once per tag, naming both versions. A class already
 * registered under another tag (a renamed screen) is left there.
 */
export function defineTag(tag: string, ctor: KitClass, registry: CustomElementRegistry = customElements): void {
  for (const [dep, depCtor] of Object.entries(ctor.dependencies ?? {})) defineTag(dep, depCtor, registry);
  const existing = registry.get(tag) as KitClass | undefined;
  // A class registered already under another tag (a renamed screen) cannot be defined twice.
  if (!existing) {
    if (!registry.getName?.(ctor)) registry.define(tag, ctor);
  }
  else if (existing !== ctor && !warned.has(tag)) {
    warned.add(tag);
    console.warn(`<${tag}>: @handoff/components ${existing.version} registered it first; ${VERSION} is not used`);
  }
}
