-- What Web Push needs to know on every instance. The devices each person
-- was rung on, per call, so the stop (sent by whichever instance ends the
-- ring) goes where the ring went, also after a restart.
CREATE TABLE push_rings (
    call_id         INTEGER NOT NULL REFERENCES voice_calls(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    PRIMARY KEY (call_id, user_id, subscription_id)
);
-- Tabs open on each instance (PostgreSQL, several instances): a device
-- showing Belfry on any instance is rung in the page, not pushed. Rows of
-- an instance that stopped age out (seen_at, refreshed while it runs).
CREATE TABLE open_tabs (
    instance INTEGER NOT NULL,
    tab      INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    device   TEXT    NOT NULL,
    visible  INTEGER NOT NULL,
    seen_at  INTEGER NOT NULL,
    PRIMARY KEY (instance, tab)
);
CREATE INDEX open_tabs_user ON open_tabs(user_id, device);
