-- Live events too large for one NOTIFY, on their way to the other
-- instances (src/server/live_relay.rs; PostgreSQL only, kept on both
-- engines so their schemas stay twins).
CREATE TABLE live_relay (
    id         INTEGER PRIMARY KEY,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX live_relay_created ON live_relay(created_at);
