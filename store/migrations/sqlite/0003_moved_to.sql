-- Where a feed moved permanently (HTTP 301/308 to a valid feed): polls go
-- there, while items keep the configured URL in their identity.
ALTER TABLE feeds ADD COLUMN moved_to TEXT NOT NULL DEFAULT '';
