import type { Check } from '../check.js';
import { commandChecks } from './commands.js';
import { flagChecks } from './flags.js';
import { handshakeChecks } from './handshake.js';
import { modeChecks } from './modes.js';
import { robustnessChecks } from './robustness.js';
import { syncChecks } from './sync.js';
import { takeoverChecks } from './takeover.js';

/** Every check, in the order they run (background ones start first and run beside the rest). */
export const ALL_CHECKS: readonly Check[] = [
  ...handshakeChecks,
  ...syncChecks,
  ...commandChecks.filter((c) => c.id !== 'commands.rate-limited'),
  ...takeoverChecks,
  ...modeChecks,
  ...flagChecks,
  ...robustnessChecks,
  // Last: it spends the agent's command budget, which a server may keep per agent, not per socket.
  ...commandChecks.filter((c) => c.id === 'commands.rate-limited'),
];
