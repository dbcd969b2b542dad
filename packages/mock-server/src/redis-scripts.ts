/**
 * The Lua scripts of `RedisStore`. Each write checks, writes and appends its event in one script,
 * so it is atomic across every server instance sharing the Redis (docs/decisions.md D19):
 * no read-then-write ever spans an await.
 *
 * Every write script takes the same first keys and arguments, used by `emit`:
 *   KEYS[1] seq counter, KEYS[2] event stream, KEYS[3] epoch
 *   ARGV[1] stream length kept, ARGV[2] event time (ms), ARGV[3] the epoch this instance serves
 * and returns the seq of the event it appended (0 or a reason when it changed nothing).
 *
 * A conversation is a hash: `base` (JSON of the fields only compare-and-set writes) beside the
 * fields the scripts check or change on their own (`v`, `status`, `aiSession`, `claimant`,
 * `updatedAt`, `lastActivityAt`, `messageCount`, `lastMessage`). Its messages are a list of JSON
 * strings plus a hash from message id to list index.
 */

const PRELUDE = `
if redis.call('GET', KEYS[3]) ~= ARGV[3] then
  return redis.error_reply('EPOCH the store lost its data (new epoch); restart this instance')
end
local function emit(body)
  local seq = redis.call('INCR', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], seq .. '-0', 'e', body, 't', ARGV[2])
  return seq
end
`;

/** KEYS[4] modes. ARGV[4] service id, ARGV[5] mode, ARGV[6] event. -1: no such service. */
const SET_MODE = `${PRELUDE}
local current = redis.call('HGET', KEYS[4], ARGV[4])
if not current then return -1 end
if current == ARGV[5] then return 0 end
redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
return emit(ARGV[6])
`;

/** KEYS[4] conversation, KEYS[5] active set. ARGV[4] id, ARGV[5] event, ARGV[6..] fields. */
const CREATE = `${PRELUDE}
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
redis.call('HSET', KEYS[4], unpack(ARGV, 6, #ARGV))
local seq = emit(ARGV[5])
redis.call('ZADD', KEYS[5], seq, ARGV[4])
return seq
`;

/**
 * Compare-and-set. KEYS[4] conversation, KEYS[5] modes. ARGV[4] expected version, ARGV[5] service
 * id, ARGV[6] expected mode ('' for any), ARGV[7] event, ARGV[8..] fields.
 */
const UPDATE = `${PRELUDE}
local v = redis.call('HGET', KEYS[4], 'v')
if not v or v ~= ARGV[4] then return 0 end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[5], ARGV[5]) ~= ARGV[6] then return 0 end
redis.call('HSET', KEYS[4], 'v', tostring(tonumber(v) + 1), unpack(ARGV, 8, #ARGV))
return emit(ARGV[7])
`;

/**
 * KEYS[4] conversation, KEYS[5] active set, KEYS[6] messages, KEYS[7] message index.
 * ARGV[4] id, ARGV[5] idle cutoff ('' for none), ARGV[6] event, ARGV[7] key prefix (the
 * conversation's address counts one less: its key is built here, one Redis, not a Cluster).
 */
const END = `${PRELUDE}
local last = redis.call('HGET', KEYS[4], 'lastActivityAt')
if not last then return 0 end
if ARGV[5] ~= '' and tonumber(last) > tonumber(ARGV[5]) then return 0 end
local address = redis.call('HGET', KEYS[4], 'address')
if address and address ~= '' then redis.call('ZREM', ARGV[7] .. 'addr:' .. address, ARGV[4]) end
redis.call('DEL', KEYS[4], KEYS[6], KEYS[7])
redis.call('ZREM', KEYS[5], ARGV[4])
return emit(ARGV[6])
`;

/**
 * KEYS[4] conversation, KEYS[5] messages, KEYS[6] message index. ARGV[4] role, ARGV[5] message id,
 * ARGV[6] message JSON, ARGV[7] message time, ARGV[8] required claimant ('' for none), ARGV[9] AI
 * session the reply was composed in ('' for none), ARGV[10] event.
 * Returns {seq, fields of the stored conversation} or {0, reason}.
 */
const APPEND = `${PRELUDE}
local c = redis.call('HMGET', KEYS[4], 'status', 'aiSession', 'claimant', 'updatedAt')
if not c[1] then return {0, 'not_found'} end
if ARGV[8] ~= '' and c[3] ~= ARGV[8] then return {0, 'not_claimant'} end
if ARGV[4] == 'ai' and (c[1] == 'paused' or (ARGV[9] ~= '' and ARGV[9] ~= c[2])) then return {0, 'paused'} end
local n = redis.call('RPUSH', KEYS[5], ARGV[6])
redis.call('HSET', KEYS[6], ARGV[5], n - 1)
redis.call('HSET', KEYS[4], 'lastMessage', ARGV[6])
if tonumber(ARGV[7]) > tonumber(c[4]) then redis.call('HSET', KEYS[4], 'updatedAt', ARGV[7]) end
if ARGV[4] == 'customer' or ARGV[4] == 'agent' then redis.call('HSET', KEYS[4], 'lastActivityAt', ARGV[7]) end
redis.call('HINCRBY', KEYS[4], 'messageCount', 1)
redis.call('HINCRBY', KEYS[4], 'v', 1)
local seq = emit(ARGV[10])
return {seq, redis.call('HGETALL', KEYS[4])}
`;

/**
 * KEYS[4] conversation, KEYS[5] messages, KEYS[6] message index. ARGV[4] conversation id,
 * ARGV[5] message id, ARGV[6] rating. Returns {seq, the rated message's JSON}, or false.
 */
const RATE = `${PRELUDE}
local i = redis.call('HGET', KEYS[6], ARGV[5])
if not i then return false end
local m = cjson.decode(redis.call('LINDEX', KEYS[5], i))
if m.role ~= 'ai' then return false end
m.rating = ARGV[6]
local out = cjson.encode(m)
redis.call('LSET', KEYS[5], i, out)
local last = redis.call('HGET', KEYS[4], 'lastMessage')
if last and last ~= 'null' and cjson.decode(last).id == ARGV[5] then redis.call('HSET', KEYS[4], 'lastMessage', out) end
return {emit('{"kind":"message_updated","conversationId":' .. cjson.encode(ARGV[4]) .. ',"message":' .. out .. '}'), out}
`;

/**
 * Everything at one seq. KEYS[1] seq, KEYS[2] active set, KEYS[3] modes. ARGV[1] key prefix,
 * ARGV[2] newest messages per conversation (0: none). Returns {seq, modes, {id, fields, messages,
 * message count}...}. Conversation keys are built here from the prefix: one Redis, not a Cluster.
 */
const STATE = `
local out = {redis.call('GET', KEYS[1]) or '0', redis.call('HGETALL', KEYS[3])}
local limit = tonumber(ARGV[2])
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local list = ARGV[1] .. 'm:' .. id
  local messages = {}
  if limit > 0 then messages = redis.call('LRANGE', list, -limit, -1) end
  table.insert(out, {id, redis.call('HGETALL', ARGV[1] .. 'c:' .. id), messages, redis.call('LLEN', list)})
end
return out
`;

/**
 * KEYS[1] conversation, KEYS[2] messages, KEYS[3] message index. ARGV[1] before ('' for the
 * newest), ARGV[2] limit. Returns {index of the first message, messages} or false.
 */
const PAGE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local stop = redis.call('LLEN', KEYS[2])
if ARGV[1] ~= '' then
  local i = redis.call('HGET', KEYS[3], ARGV[1])
  if not i then return false end
  stop = tonumber(i)
end
local start = math.max(0, stop - tonumber(ARGV[2]))
if stop <= start then return {start, {}} end
return {start, redis.call('LRANGE', KEYS[2], start, stop - 1)}
`;

/** KEYS[1] seq, KEYS[2] stream. ARGV[1] seq. Returns {current seq, entries after ARGV[1]}. */
const SINCE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local from = tonumber(ARGV[1])
if from >= current then return {current, {}} end
return {current, redis.call('XRANGE', KEYS[2], (from + 1) .. '-0', '+')}
`;

/**
 * Counts a new conversation against its customer's address, for every instance at once. KEYS[1]
 * the address's sorted set (conversation id -> admitted at). ARGV[1] id, ARGV[2] the cap, ARGV[3]
 * now, ARGV[4] ms after which an admitted id whose conversation was never created stops counting,
 * ARGV[5] key prefix. Returns 1 when admitted, 0 at the cap.
 */
const ADMIT = `
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))) do
  if redis.call('EXISTS', ARGV[5] .. 'c:' .. id) == 0 then redis.call('ZREM', KEYS[1], id) end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
return 1
`;

/**
 * Whether a customer socket of a conversation is open on a live instance. KEYS[1] the
 * conversation's hash of instance -> open sockets. ARGV[1] key prefix. Returns 1 or 0.
 */
const PRESENT = `
local counts = redis.call('HGETALL', KEYS[1])
for i = 1, #counts, 2 do
  if tonumber(counts[i + 1]) > 0 and redis.call('EXISTS', ARGV[1] .. 'inst:' .. counts[i]) == 1 then return 1 end
end
return 0
`;

/**
 * Replies the AI owes (docs/decisions.md D49). KEYS[1] sorted set of member -> lease deadline,
 * KEYS[2] hash member -> holder, KEYS[3] hash member -> reply JSON, KEYS[4] hash member -> runs.
 * A member is `conversation id \n message id`.
 */
/** ARGV[1] member, ARGV[2] holder, ARGV[3] deadline, ARGV[4] reply JSON. */
const AWAIT_REPLY = `
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
return 1
`;

/** ARGV[1] new deadline, then pairs of member and holder: only leases still held are extended. */
const RENEW_REPLIES = `
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i]) end
end
return 1
`;

/** ARGV[1] now, ARGV[2] lease ms, ARGV[3] new holder. Returns {member, reply JSON, runs} or false. */
const TAKE_REPLY = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
local m = due[1]
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), m)
redis.call('HSET', KEYS[2], m, ARGV[3])
local runs = redis.call('HINCRBY', KEYS[4], m, 1)
return {m, redis.call('HGET', KEYS[3], m) or 'null', runs}
`;

/** ARGV[1] member, ARGV[2] holder. Removes the reply only for its holder: 1, else 0. */
const FINISH_REPLY = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
`;

export const SCRIPTS = {
  hhAwaitReply: { keys: 3, lua: AWAIT_REPLY },
  hhRenewReplies: { keys: 2, lua: RENEW_REPLIES },
  hhTakeReply: { keys: 4, lua: TAKE_REPLY },
  hhFinishReply: { keys: 4, lua: FINISH_REPLY },
  hhPresent: { keys: 1, lua: PRESENT },
  hhAdmit: { keys: 1, lua: ADMIT },
  hhSetMode: { keys: 4, lua: SET_MODE },
  hhCreate: { keys: 5, lua: CREATE },
  hhUpdate: { keys: 5, lua: UPDATE },
  hhEnd: { keys: 7, lua: END },
  hhAppend: { keys: 6, lua: APPEND },
  hhRate: { keys: 6, lua: RATE },
  hhState: { keys: 3, lua: STATE },
  hhPage: { keys: 3, lua: PAGE },
  hhSince: { keys: 2, lua: SINCE },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
