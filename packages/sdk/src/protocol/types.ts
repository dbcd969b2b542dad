// The object types are interfaces extending the schemas' output, not aliases: the SDK reference
// (TypeDoc) then links each by name instead of inlining its fields wherever it is used.
/* eslint-disable @typescript-eslint/no-empty-object-type -- see above */
import type * as v from 'valibot';
import type * as s from './schemas.js';

export type Mode = v.InferOutput<typeof s.ModeSchema>;
export type Status = v.InferOutput<typeof s.StatusSchema>;
export type Flag = v.InferOutput<typeof s.FlagSchema>;
export type Role = v.InferOutput<typeof s.RoleSchema>;
export interface Agent extends v.InferOutput<typeof s.AgentSchema> {}
export type AgentRole = v.InferOutput<typeof s.AgentRoleSchema>;
export interface Service extends v.InferOutput<typeof s.ServiceSchema> {}
export interface Message extends v.InferOutput<typeof s.MessageSchema> {}
export interface Claim extends v.InferOutput<typeof s.ClaimSchema> {}
export interface Escalation extends v.InferOutput<typeof s.EscalationSchema> {}
export interface ConversationState extends v.InferOutput<typeof s.ConversationStateSchema> {}
export interface Conversation extends v.InferOutput<typeof s.ConversationSchema> {}
export type ErrorCode = v.InferOutput<typeof s.ErrorCodeSchema>;
export type CustomerErrorCode = v.InferOutput<typeof s.CustomerErrorCodeSchema>;

export type Hello = v.InferOutput<typeof s.HelloSchema>;
export type Command = v.InferOutput<typeof s.CommandSchema>;
export type CommandType = Command['type'];
export type Ping = v.InferOutput<typeof s.PingSchema>;
export type Pong = v.InferOutput<typeof s.PongSchema>;
export type AgentClientFrame = v.InferOutput<typeof s.AgentClientFrameSchema>;

export type Welcome = v.InferOutput<typeof s.WelcomeSchema>;
export type Snapshot = v.InferOutput<typeof s.SnapshotSchema>;
export type EventBody = v.InferOutput<typeof s.EventBodySchema>;
export type EventKind = EventBody['kind'];
export type EventFrame = v.InferOutput<typeof s.EventSchema>;
export type Synced = v.InferOutput<typeof s.SyncedSchema>;
export type Ack = v.InferOutput<typeof s.AckSchema>;
export type LoadOlderResult = v.InferOutput<typeof s.LoadOlderResultSchema>;
export interface ErrorFrame extends v.InferOutput<typeof s.ErrorFrameSchema> {}
export type CustomerErrorFrame = v.InferOutput<typeof s.CustomerErrorFrameSchema>;
export type AgentServerFrame = v.InferOutput<typeof s.AgentServerFrameSchema>;

export type CustomerHello = v.InferOutput<typeof s.CustomerHelloSchema>;
export type CustomerClientFrame = v.InferOutput<typeof s.CustomerClientFrameSchema>;
export type CustomerWelcome = v.InferOutput<typeof s.CustomerWelcomeSchema>;
export type CustomerServerFrame = v.InferOutput<typeof s.CustomerServerFrameSchema>;
export type PublicServices = v.InferOutput<typeof s.PublicServicesSchema>;
