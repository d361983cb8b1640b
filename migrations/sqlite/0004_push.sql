-- Web Push: one row per browser (device) that asked to be rung while Belfry
-- is closed. The endpoint is the push service's address for that browser;
-- p256dh and auth are its keys (base64url), used to encrypt each message.
CREATE TABLE push_subscriptions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint     TEXT    NOT NULL UNIQUE,
    p256dh       TEXT    NOT NULL,
    auth         TEXT    NOT NULL,
    -- The browser's own id for itself (kept in its storage), so a device
    -- with Belfry open on screen is not also sent a push.
    device       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    -- The last time the push service accepted a message for it.
    last_sent_at INTEGER
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
