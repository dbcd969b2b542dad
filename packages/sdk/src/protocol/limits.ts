/** The protocol's version and limits (beside the schemas in protocol/index.ts; schemas.ts uses them). */
export const PROTOCOL_VERSION = 1;
/** Versions this build of the server and SDK speak. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** Largest frame either side accepts, in bytes of UTF-8 JSON. */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * Largest frame a server sends (the snapshot is the big one), in bytes. The server bounds a
 * snapshot by its caps (active conversations times a byte budget per conversation), and a Node
 * client sets this as its socket's `maxPayload` (ws defaults to 100 MiB).
 */
export const MAX_SERVER_FRAME_BYTES = 64 * 1024 * 1024;
/** Longest message text a customer or agent may send, in characters. */
export const MAX_MESSAGE_LENGTH = 4000;
