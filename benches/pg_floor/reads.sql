-- The cycle's reads in their simplest form: a channel with its visibility,
-- its live call and its members (Belfry's find_for_call and load_for are
-- each one such statement, a little larger). A cycle makes three.
\set ch 1 + random(0, 499)
SELECT c.id, EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = c.id AND m.user_id = :ch), (SELECT v.id FROM voice_calls v WHERE v.channel_id = c.id AND v.status IN ('RINGING', 'ACTIVE')), (SELECT string_agg(CAST(m.user_id AS TEXT), ',') FROM channel_members m WHERE m.channel_id = c.id) FROM channels c WHERE c.id = :ch;
