-- Accounts, sessions, communities, channels, studios and chat messages.
-- Timestamps are Unix milliseconds (INTEGER) so the same queries serve SQLite
-- and PostgreSQL (BIGINT).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,          -- stored lower-case
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    avatar_color  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Server-side sessions. Only a SHA-256 of the cookie's token is stored, so a
-- copy of the database does not let anyone sign in as a user.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE communities (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE community_members (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('member', 'coordinator', 'admin')),
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX community_members_user ON community_members(user_id);

-- DIRECT and GROUP channels list their members in channel_members; a PARISH
-- channel's members are the community's members.
CREATE TABLE channels (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('direct', 'group', 'parish')),
    name         TEXT    NOT NULL,
    -- For DIRECT channels: "<low user id>:<high user id>", so one pair has one channel.
    direct_key   TEXT    UNIQUE,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
);
CREATE INDEX channels_community ON channels(community_id);

CREATE TABLE channel_members (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);

CREATE TABLE studios (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE studio_members (
    studio_id INTEGER NOT NULL REFERENCES studios(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('member', 'owner')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (studio_id, user_id)
);
CREATE INDEX studio_members_user ON studio_members(user_id);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    -- The sender's idempotency key: a retried send returns the first message
    -- instead of posting it twice.
    client_nonce TEXT
);
CREATE UNIQUE INDEX messages_nonce ON messages(author_id, client_nonce)
    WHERE client_nonce IS NOT NULL;
-- History pages walk a channel's messages by id, newest first.
CREATE INDEX messages_channel_id ON messages(channel_id, id);
