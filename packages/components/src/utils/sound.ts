import { html } from 'lit';
import { emit } from '../events.js';

/**
 * The escalation chime, generated with WebAudio: no file, no network.
 *
 * Browsers block audio until the person has interacted with the page. A blocked
 * `AudioContext` stays `suspended` and its `resume()` stays pending or rejects; `play()`
 * reports that as `false` so the toaster can show an "Enable sound" button instead of failing
 * silently.
 */
export interface SoundPlayer {
  /** Plays the chime. Resolves false when the browser blocked audio. */
  play(): Promise<boolean>;
  /** Called from a click: lifts the block. Resolves true when audio can play now. */
  unlock(): Promise<boolean>;
}

/** How long `play()` waits for a suspended context to resume before calling it blocked. */
const RESUME_WAIT_MS = 250;

export function webAudioChime(): SoundPlayer {
  let context: AudioContext | undefined;
  const get = (): AudioContext | undefined => {
    if (!context && typeof AudioContext === 'function') context = new AudioContext();
    return context;
  };
  const resume = async (ac: AudioContext, waitMs: number): Promise<boolean> => {
    if (ac.state === 'running') return true;
    const resumed = ac.resume().then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs));
    return (await Promise.race([resumed, timedOut])) && (ac.state as AudioContextState) === 'running';
  };
  const ring = async (waitMs: number): Promise<boolean> => {
    const ac = get();
    if (!ac || !(await resume(ac, waitMs))) return false;
    chime(ac);
    return true;
  };
  // unlock() runs from a click, so the browser lets the context resume: it may take longer.
  return { play: () => ring(RESUME_WAIT_MS), unlock: () => ring(2000) };
}

/** Two short rising sine notes (A5, D6), about 0.35 s in all, with soft attack and release. */
function chime(ac: AudioContext): void {
  const start = ac.currentTime;
  [880, 1175].forEach((frequency, i) => {
    const at = start + i * 0.16;
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.18);
    osc.connect(gain).connect(ac.destination);
    osc.start(at);
    osc.stop(at + 0.2);
  });
}

/** The default `localStorage` key of the mute choice, shared by the toaster and the screen. */
export const MUTE_KEY = 'handoff:muted';

/** The remembered mute choice, or undefined when none (or storage is unavailable). */
export function readMuted(key: string): boolean | undefined {
  try {
    const v = localStorage.getItem(key);
    return v === null ? undefined : v === '1';
  } catch {
    return undefined;
  }
}

/** Remembers the choice and fires `handoff-mute-change` from `from`, so every switch on the page follows. */
export function storeMuted(from: EventTarget, key: string, muted: boolean): void {
  try {
    localStorage.setItem(key, muted ? '1' : '0');
  } catch {
    // Storage can be unavailable (privacy modes); the choice then lasts for this page only.
  }
  emit(from, 'handoff-mute-change', { muted, key });
}

/** The sound switch: its state in text and icon ("Sound on" / "Sound off"), so it reads the same muted or not only in its name. */
export function soundSwitch(muted: boolean, toggle: () => void, part = 'mute') {
  return html`<button part=${part} class="button sound" type="button" role="switch" aria-checked=${muted ? 'false' : 'true'} @click=${toggle}>
    <span aria-hidden="true">${muted ? '\u{1F507}' : '\u{1F50A}'}</span> Sound ${muted ? 'off' : 'on'}
  </button>`;
}
