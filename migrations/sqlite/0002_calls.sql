-- Call control: voice calls in channels, their participants, studio drop-in
-- rooms, and server settings (such as generated media keys).

CREATE TABLE voice_calls (
    id           INTEGER PRIMARY KEY,
    channel_id   INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    initiator_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    room_name    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('one_to_one', 'group')),
    status       TEXT    NOT NULL CHECK (status IN ('RINGING', 'ACTIVE', 'ENDED', 'MISSED', 'DECLINED')),
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    ended_at     INTEGER,
    duration_ms  INTEGER,
    end_reason   TEXT,
    -- Bumped by every write; a write that finds another version lost a race.
    version      INTEGER NOT NULL DEFAULT 0
);
-- At most one live call per channel, enforced here and not only in code.
CREATE UNIQUE INDEX voice_calls_one_live_per_channel ON voice_calls(channel_id)
    WHERE status IN ('RINGING', 'ACTIVE');
CREATE INDEX voice_calls_channel_recent ON voice_calls(channel_id, id);
CREATE INDEX voice_calls_live ON voice_calls(status) WHERE status IN ('RINGING', 'ACTIVE');

CREATE TABLE call_participants (
    call_id        INTEGER NOT NULL REFERENCES voice_calls(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT    NOT NULL CHECK (status IN
                       ('INVITED', 'RINGING', 'CONNECTED', 'DISCONNECTED', 'DECLINED', 'MISSED')),
    invited_at     INTEGER NOT NULL,
    ring_deadline  INTEGER,
    joined_at      INTEGER,
    left_at        INTEGER,
    decline_reason TEXT,
    PRIMARY KEY (call_id, user_id)
);
-- A user's calls, newest first (history).
CREATE INDEX call_participants_user ON call_participants(user_id, call_id);
-- A user's calls in one state (busy checks, what rings for them), without
-- walking their whole history.
CREATE INDEX call_participants_user_status ON call_participants(user_id, status);

CREATE TABLE studio_voice_rooms (
    id          INTEGER PRIMARY KEY,
    studio_id   INTEGER NOT NULL UNIQUE REFERENCES studios(id) ON DELETE CASCADE,
    room_name   TEXT    NOT NULL UNIQUE,
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Call summaries in the chat timeline are messages of kind 'call'.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'call'));
ALTER TABLE messages ADD COLUMN call_id INTEGER REFERENCES voice_calls(id) ON DELETE SET NULL;
-- One summary per call.
CREATE UNIQUE INDEX messages_call ON messages(call_id) WHERE call_id IS NOT NULL;
