-- A group channel that a coordinator archived, and when: its messages are
-- still read, but nothing new is posted and it takes no calls. NULL while
-- it is in use.
ALTER TABLE channels ADD COLUMN archived_at BIGINT;
