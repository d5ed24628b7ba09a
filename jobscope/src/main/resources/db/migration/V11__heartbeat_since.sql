-- A heartbeat's silence is counted from its last push, or, before the first push, from when the heartbeat
-- was set up (heartbeat_since_ms). Until V11 that setup time was written into last_heartbeat_ms, so a
-- service that never pushed was reported as "last push <setup time>"; such rows cannot be told apart now and
-- keep their value as a push.
ALTER TABLE service ADD COLUMN heartbeat_since_ms BIGINT;
UPDATE service SET heartbeat_since_ms = last_heartbeat_ms WHERE heartbeat_timeout_s IS NOT NULL;
