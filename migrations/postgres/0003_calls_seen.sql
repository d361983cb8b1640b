-- PostgreSQL's twin of migrations/sqlite/0003_calls_seen.sql.
-- When each person last looked at their calls: missed calls after it are
-- unseen (the badge in the navigation and on the installed app).
ALTER TABLE users ADD COLUMN calls_seen_at BIGINT NOT NULL DEFAULT 0;
