-- When each person last looked at their calls: missed calls after it are
-- unseen (the badge in the navigation and on the installed app).
ALTER TABLE users ADD COLUMN calls_seen_at INTEGER NOT NULL DEFAULT 0;
