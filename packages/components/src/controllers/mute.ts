import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MuteChangeEvent } from '../events.js';
import { readMuted, soundSwitch, storeMuted } from '../utils/sound.js';

export interface MuteOptions {
  /** The `localStorage` key of the choice (the toaster's `storage-key`, the screen's `sound-storage-key`). */
  key(): string;
  /** The host's current value. */
  muted(): boolean;
  /** Sets the host's value (a reactive property, so the host re-renders). */
  apply(muted: boolean): void;
  /** True when the host's own value wins over the remembered one on connect (e.g. a `muted` attribute). */
  keepOwn?(): boolean;
}

/**
 * The page's one mute choice, shared by every sound switch (each toaster's, the screen's header):
 * on connect it reads the remembered choice; while connected it follows `handoff-mute-change`
 * from any switch on the page and `storage` events from other tabs, for its key only; `set()`
 * remembers a choice and tells the page. `switch()` renders the switch itself.
 */
export class MuteController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: MuteOptions;
  readonly #onMute = (e: Event) => {
    const { detail } = e as MuteChangeEvent;
    if (detail?.key === this.#options.key()) this.#options.apply(detail.muted);
  };
  readonly #onStorage = (e: StorageEvent) => {
    if (e.key === this.#options.key()) this.#read();
  };

  constructor(host: ReactiveControllerHost & EventTarget, options: MuteOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get muted(): boolean {
    return this.#options.muted();
  }

  hostConnected(): void {
    if (!this.#options.keepOwn?.()) this.#read();
    document.addEventListener('handoff-mute-change', this.#onMute);
    window.addEventListener('storage', this.#onStorage);
  }

  hostDisconnected(): void {
    document.removeEventListener('handoff-mute-change', this.#onMute);
    window.removeEventListener('storage', this.#onStorage);
  }

  /** Turns the sound on or off, remembers the choice and fires `handoff-mute-change` from the host. */
  set(muted: boolean): void {
    this.#options.apply(muted);
    storeMuted(this.#host, this.#options.key(), muted);
  }

  toggle(): void {
    this.set(!this.muted);
  }

  /** The sound switch ("Sound on" / "Sound off") for this choice, with the given part name. */
  switch(part = 'mute') {
    return soundSwitch(this.muted, () => this.toggle(), part);
  }

  #read(): void {
    const stored = readMuted(this.#options.key());
    if (stored !== undefined) this.#options.apply(stored);
  }
}
