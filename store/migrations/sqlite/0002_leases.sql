-- A lease lets one process at a time post a digest, so that a manual
-- `newsdigest run` beside `newsdigest serve` never posts the same items twice.
-- A crashed holder's lease simply expires.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
