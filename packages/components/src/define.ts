/** Side-effect entry point: registers every element's tag. */
import { defineAll } from './define-all.js';
// For the types only (kept in define.d.ts): the elements' `HTMLElementTagNameMap` entries and the
// events' `GlobalEventHandlersEventMap`, so `import '@handoff/components/define'` alone types
// `document.querySelector('handoff-screen')!.client`. Everything in it is already imported above.
import './index.js';

defineAll();
