-- PostgreSQL's twin of migrations/sqlite/0008_connected_index.sql.
-- Who is connected to a call right now (the busy checks before a ring or
-- an answer): a small index that holds only the connected rows, so the
-- check reads a few entries per person, not their whole call history.
CREATE INDEX call_participants_connected ON call_participants(user_id)
    WHERE status = 'CONNECTED';
