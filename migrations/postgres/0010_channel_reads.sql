-- PostgreSQL's twin of migrations/sqlite/0010_channel_reads.sql.
-- How far each person has read each channel: the newest message id they
-- have seen there. Unread counts are the messages after it, not theirs.
CREATE TABLE channel_reads (
    channel_id   BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_read_id BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
