package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AcquireLease takes the named lease for owner until now+ttl, when it is free,
// expired, or already owner's (then it is extended). It reports whether owner
// holds the lease now and, when not, who does and until when.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (ok bool, holder string, until time.Time, err error) {
	now := s.now()
	err = s.write(ctx, func(tx *txn) error {
		// One statement takes a free or expired lease, or extends one's
		// own: atomic on both engines, so that of two processes asking at
		// once (PostgreSQL runs them together) only one gets it.
		var got string
		switch err := tx.queryRow(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
			WHERE leases.owner = excluded.owner OR leases.expires_at <= ?4
			RETURNING owner`, name, owner, nanos(now.Add(ttl)), nanos(now)).Scan(&got); {
		case err == nil:
			ok, until = true, now.Add(ttl)
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var expires int64
		if err := tx.queryRow(ctx, `SELECT owner, expires_at FROM leases WHERE name = ?`, name).Scan(&holder, &expires); err != nil {
			return err
		}
		until = time.Unix(0, expires).UTC()
		return nil
	})
	if err != nil {
		return false, "", time.Time{}, fmt.Errorf("store: acquire lease %s: %w", name, err)
	}
	return ok, holder, until, nil
}

// ReleaseLease gives the named lease up if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	return nil
}
