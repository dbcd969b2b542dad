/**
 * What each role may do (docs/decisions.md D31). `agent`: monitor, take over an unclaimed
 * conversation, reply, release, resume, mark reviewed. `supervisor`: also change modes (which can
 * end other agents' claims) and take a conversation over from the agent holding it.
 */
import type { AgentRole, Command } from '@handoff/sdk/protocol';

/** Why `role` may not run `cmd` (answered as `forbidden`), or undefined when it may. */
export function refusal(role: AgentRole, cmd: Command): string | undefined {
  if (role === 'supervisor') return undefined;
  if (cmd.type === 'set_mode' || cmd.type === 'set_all_modes') return 'Only a supervisor can change a service’s mode.';
  if (cmd.type === 'take_over' && cmd.override) return 'Only a supervisor can take a conversation over from another agent.';
  return undefined;
}
