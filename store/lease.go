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
	err = s.write(ctx, func(tx *sql.Tx) error {
		var cur string
		var expires int64
		switch err := tx.QueryRowContext(ctx, `SELECT owner, expires_at FROM leases WHERE name = ?`, name).Scan(&cur, &expires); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cur != owner && expires > nanos(now):
			holder, until = cur, time.Unix(0, expires).UTC()
			return nil
		}
		ok, until = true, now.Add(ttl)
		_, err := tx.ExecContext(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
			name, owner, nanos(until))
		return err
	})
	if err != nil {
		return false, "", time.Time{}, fmt.Errorf("store: acquire lease %s: %w", name, err)
	}
	return ok, holder, until, nil
}

// ReleaseLease gives the named lease up if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	return nil
}
