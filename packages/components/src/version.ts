/** The version of @handoff/components (written from its package.json by scripts/write-version.mjs). */
export const VERSION = '0.1.0';
