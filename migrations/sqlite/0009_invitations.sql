-- Invitation links: an admin or coordinator makes one for their community,
-- with an expiry and a use limit, and may revoke it. Only a SHA-256 of the
-- link's code is kept (the link is shown once, when it is made), with its
-- last characters so that people can tell their links apart.

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    code_hash    TEXT    NOT NULL UNIQUE,
    code_hint    TEXT    NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    max_uses     INTEGER NOT NULL CHECK (max_uses > 0),
    uses         INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    revoked_at   INTEGER
);
CREATE INDEX invitations_community ON invitations(community_id, id);

-- Who joined through which link.
CREATE TABLE invitation_uses (
    invitation_id INTEGER NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at     INTEGER NOT NULL,
    PRIMARY KEY (invitation_id, user_id)
);
