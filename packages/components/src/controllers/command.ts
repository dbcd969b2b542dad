import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describeError } from '../utils/format.js';

/** One command an element runs. */
export interface ElementCommand<K extends string> {
  /** Which command (shown as pending while it runs). */
  readonly key: K;
  /**
   * Announces the command, typically by firing the element's cancelable event; returns false
   * when a listener cancelled it. Runs before anything is sent.
   */
  readonly request: () => boolean;
  /** Sends the command; undefined when there is no client (the host handles the event itself). */
  readonly send: (() => Promise<unknown>) | undefined;
  /** The success line. */
  readonly done: string;
  /**
   * Whether the success line is still true (e.g. "Billing set to AI Only" while the mode is AI
   * Only). Checked before each render of the host; once it has held and then stops holding, the
   * line is cleared. Default: it holds until the next command or `reset()`.
   */
  readonly holds?: () => boolean;
}

/**
 * The state of the commands an element runs: which one is pending, the success line of the last
 * one, or a readable error. One command at a time: `run` refuses while another is pending.
 * Feedback never outlives what it describes: a new command clears it, `reset()` clears it (the
 * element shows another conversation), and a success line is cleared when its `holds` stops
 * being true. Every element that sends commands uses this controller.
 */
export class CommandController<K extends string> implements ReactiveController {
  /** The command in flight, or null. */
  pending: K | null = null;
  /** The success line of the last command, while it still holds. */
  feedback = '';
  /** A readable error from the last command (`describeError`). */
  error = '';

  readonly #host: ReactiveControllerHost;
  #holds: (() => boolean) | undefined;
  /** Whether `#holds` has been true since the success line was set. */
  #held = false;
  /** Bumped by `reset()`, so a command that resolves afterwards leaves no feedback. */
  #generation = 0;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** Runs `command` unless one is pending or it is cancelled. Resolves true when it was sent and succeeded. */
  async run(command: ElementCommand<K>): Promise<boolean> {
    if (this.pending) return false;
    this.#set();
    if (!command.request() || !command.send) return false;
    const generation = this.#generation;
    this.pending = command.key;
    this.#host.requestUpdate();
    try {
      await command.send();
      if (generation === this.#generation) this.#set(command.done, '', command.holds);
      return true;
    } catch (err) {
      if (generation === this.#generation) this.#set('', describeError(err));
      return false;
    } finally {
      if (generation === this.#generation) this.pending = null;
      this.#host.requestUpdate();
    }
  }

  /** Forgets the feedback and any pending command's outcome (e.g. when the element shows something else). */
  reset(): void {
    this.#generation++;
    this.pending = null;
    this.#set();
    this.#host.requestUpdate();
  }

  hostUpdate(): void {
    if (!this.#holds) return;
    if (this.#holds()) this.#held = true;
    else if (this.#held) this.#set();
  }

  #set(feedback = '', error = '', holds?: () => boolean): void {
    this.feedback = feedback;
    this.error = error;
    this.#holds = holds;
    this.#held = false;
  }
}
