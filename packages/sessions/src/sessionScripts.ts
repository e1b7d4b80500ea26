import { luaScript } from './luaScript.js';

/*
 * Every multi-key change of a session and its user's index runs as one Lua script, so a session and the
 * index never disagree (no stale members, no orphaned sessions) and each operation costs one round trip.
 * Redis Cluster rules (issue 14): every key a script touches arrives in KEYS (no key name is built in Lua),
 * and all of them carry the user's hash tag, so they live in one slot.
 * A session hash holds: th (token hash), uid, sid (public id), c (created), ls (last seen), ie (idle
 * expiry), ae (absolute expiry), ua, ip; times are unix milliseconds. Index scores are the effective expiry.
 */

/** The fields of a session hash, in the order every script returns them. */
export const SESSION_FIELDS = ['th', 'uid', 'sid', 'c', 'ls', 'ie', 'ae', 'ua', 'ip'] as const;
const FIELDS = SESSION_FIELDS.map((field) => `'${field}'`).join(', ');

/** KEYS: session, index. ARGV: th, uid, sid, created, now, idleExpiry, absoluteExpiry, ua, ip. */
export const createScript = luaScript(`
redis.call('HSET', KEYS[1], 'th', ARGV[1], 'uid', ARGV[2], 'sid', ARGV[3], 'c', ARGV[4], 'ls', ARGV[5],
  'ie', ARGV[6], 'ae', ARGV[7], 'ua', ARGV[8], 'ip', ARGV[9])
local now = tonumber(ARGV[5])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]) - now)
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local ttl = tonumber(ARGV[7]) - now
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`);

/**
 * KEYS: session, index of the user the caller read from it. ARGV: now, idleMs, touchMs, that user id.
 * Returns the fields after sliding the idle expiry, which is written at most once per touchMs: a busy
 * session costs one read, not three writes, per request. False when the session is gone or expired, or
 * belongs to another user than the index passed (then nothing is written).
 */
export const authenticateScript = luaScript(`
local f = redis.call('HMGET', KEYS[1], ${FIELDS})
if not f[1] or f[2] ~= ARGV[4] then return false end
if not (f[5] and f[6] and f[7]) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], f[1])
  return false
end
local now = tonumber(ARGV[1])
local ae = tonumber(f[7])
if now >= tonumber(f[6]) or now >= ae then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], f[1])
  return false
end
if now - tonumber(f[5]) < tonumber(ARGV[3]) then return f end
local ie = string.format('%d', math.min(now + tonumber(ARGV[2]), ae))
redis.call('HSET', KEYS[1], 'ls', ARGV[1], 'ie', ie)
redis.call('PEXPIRE', KEYS[1], tonumber(ie) - now)
redis.call('ZADD', KEYS[2], ie, f[1])
f[5] = ARGV[1]
f[6] = ie
return f
`);

/**
 * KEYS: index, then the session of each member the caller read from it. ARGV: now, then those members
 * (token hashes) in the same order. Prunes expired and stale members, returns the live sessions.
 */
export const listScript = luaScript(`
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {}
for i = 2, #KEYS do
  local f = redis.call('HMGET', KEYS[i], ${FIELDS})
  if f[1] and f[2] and f[6] and f[7] and now < tonumber(f[6]) and now < tonumber(f[7]) then
    out[#out + 1] = f
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('DEL', KEYS[i])
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return out
`);

/**
 * KEYS: index, then the session of each member the caller read from it. ARGV: sid, mode ('one' ends the
 * session with that sid; 'others' ends every session but it), then those members in the same order.
 * Returns { ended, unseen }: unseen counts index members the caller did not pass (added since it read the
 * index), which it must read and pass again.
 */
export const revokeScript = luaScript(`
local ended = 0
local passed = {}
for i = 2, #KEYS do
  local th = ARGV[i + 1]
  passed[th] = true
  local sid = redis.call('HGET', KEYS[i], 'sid')
  local match = sid == ARGV[1]
  if not sid then
    redis.call('ZREM', KEYS[1], th)
  elseif (ARGV[2] == 'one' and match) or (ARGV[2] == 'others' and not match) then
    ended = ended + redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[1], th)
  end
end
local unseen = 0
for _, th in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if not passed[th] then unseen = unseen + 1 end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return { ended, unseen }
`);

/**
 * KEYS: session, index of the user the caller read from it. ARGV: that user id. Ends the session a token
 * names; returns 1 if there was one, 0 if not, -1 if it belongs to another user (nothing written).
 */
export const revokeTokenScript = luaScript(`
local f = redis.call('HMGET', KEYS[1], 'th', 'uid')
if not f[1] then return 0 end
if f[2] ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], f[1])
return 1
`);

/**
 * KEYS: old session, new session, index of the user the caller read from the old one. ARGV: now, idleMs,
 * that user id, newTh, newSid. Moves a live session to a new token and id, keeping its creation time and
 * absolute expiry; returns the new fields.
 */
export const rotateScript = luaScript(`
local f = redis.call('HMGET', KEYS[1], ${FIELDS})
if not (f[1] and f[2] and f[6] and f[7]) or f[2] ~= ARGV[3] then return false end
local now = tonumber(ARGV[1])
local ae = tonumber(f[7])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], f[1])
if now >= tonumber(f[6]) or now >= ae then return false end
local ie = string.format('%d', math.min(now + tonumber(ARGV[2]), ae))
redis.call('HSET', KEYS[2], 'th', ARGV[4], 'uid', f[2], 'sid', ARGV[5], 'c', f[4], 'ls', ARGV[1],
  'ie', ie, 'ae', f[7], 'ua', f[8] or '', 'ip', f[9] or '')
redis.call('PEXPIRE', KEYS[2], tonumber(ie) - now)
redis.call('ZADD', KEYS[3], ie, ARGV[4])
return { ARGV[4], f[2], ARGV[5], f[4], ARGV[1], ie, f[7], f[8] or '', f[9] or '' }
`);
