-- The call benchmark's world, made directly in SQL on Belfry's PostgreSQL
-- schema (migrations/postgres/, applied first): one parish, 1,000 people,
-- 500 direct channels of pairs (i, i + 500).
INSERT INTO communities (id, name, created_at) VALUES (1, 'Bench Parish', 0);
INSERT INTO users (id, username, display_name, password_hash, avatar_color, created_at)
SELECT i, 'u' || i, 'User ' || i, 'x', '#1d4ed8', 0 FROM generate_series(1, 1000) AS i;
INSERT INTO community_members (community_id, user_id, role, joined_at)
SELECT 1, i, 'member', 0 FROM generate_series(1, 1000) AS i;
INSERT INTO channels (id, community_id, kind, name, direct_key, created_by, created_at)
SELECT i, 1, 'direct', 'd' || i, i || ':' || (i + 500), i, 0 FROM generate_series(1, 500) AS i;
INSERT INTO channel_members (channel_id, user_id, joined_at)
SELECT i, i, 0 FROM generate_series(1, 500) AS i
UNION ALL SELECT i, i + 500, 0 FROM generate_series(1, 500) AS i;
SELECT setval(pg_get_serial_sequence('users', 'id'), 1000);
SELECT setval(pg_get_serial_sequence('channels', 'id'), 500);
VACUUM ANALYZE;
