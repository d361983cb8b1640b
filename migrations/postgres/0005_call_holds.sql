-- PostgreSQL's twin of migrations/sqlite/0005_call_holds.sql.
-- A moderator's mute, kept by call control: the media server asks on every
-- join, so the participant cannot lift it by unmuting, rejoining or
-- resuming. Only a coordinator or admin deletes the row.
CREATE TABLE call_holds (
    call_id  BIGINT NOT NULL REFERENCES voice_calls(id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    held_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    held_at  BIGINT NOT NULL,
    PRIMARY KEY (call_id, user_id)
);
