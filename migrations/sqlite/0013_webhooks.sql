-- Call-event webhooks: an admin registers URLs for their community; each
-- event is queued here once per hook and delivered, signed, with retries
-- (src/server/webhooks/). The secret signs the deliveries (HMAC-SHA256),
-- so it is kept as it is; it is shown to the admin once, when made.

CREATE TABLE webhooks (
    id                INTEGER PRIMARY KEY,
    community_id      INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    url               TEXT    NOT NULL,
    secret            TEXT    NOT NULL,
    created_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at        INTEGER NOT NULL,
    last_event        TEXT,
    last_attempt_at   INTEGER,
    last_status       INTEGER,
    last_error        TEXT,
    last_delivered_at INTEGER
);
CREATE INDEX webhooks_community ON webhooks(community_id, id);

-- One event for one hook: pending until delivered (a 2xx) or given up.
CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at) WHERE done_at IS NULL;
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id);
