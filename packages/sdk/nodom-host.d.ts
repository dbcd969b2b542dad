/**
 * For `tsconfig.nodom.json` only: the host functions every JavaScript runtime the SDK supports
 * has (browsers, Node, workers: timers, microtasks, `TextEncoder`), and nothing of the DOM. The SDK compiles against ES2022 plus
 * these; any other browser API it uses is typed in `src/browser-types.ts` and feature-detected.
 */
declare function setTimeout(handler: () => void, ms?: number): unknown;
declare function clearTimeout(id: unknown): void;
declare function setInterval(handler: () => void, ms?: number): unknown;
declare function clearInterval(id: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare const console: { warn(...args: unknown[]): void };
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
