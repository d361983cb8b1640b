-- API tokens: bearer tokens a person makes in their profile for another
-- app to call Belfry as them, within a scope ('read' < 'calls' < 'admin').
-- Only a SHA-256 of the token is kept (it is shown once, when it is made),
-- with its last characters so that people can tell their tokens apart.

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'calls', 'admin')),
    token_hash   TEXT    NOT NULL UNIQUE,
    token_hint   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);
