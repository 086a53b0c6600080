package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ClaimFeeds claims for owner, until now+ttl, those of urls that it may
// poll now, and returns them (sorted). A feed may be polled when no other
// process is polling it (no unexpired claim that is not done) and, for a
// scheduled poll (tick not zero), when it was not polled for that tick or a
// later one already. An on-demand poll (tick zero) takes every feed no one
// is polling, and leaves the feed's tick as it was. A claim is done when
// SavePoll saves the feed's poll with PollFeed.Claim set; ReleaseClaims
// gives up the others.
//
// One statement claims each batch of feeds, in URL order: atomic on both
// engines, so that of several processes claiming at once each feed goes to
// one (PostgreSQL's row locks make the later ones see the first's claim).
func (s *Store) ClaimFeeds(ctx context.Context, owner string, tick time.Time, urls []string, ttl time.Duration) ([]string, error) {
	urls = slices.Compact(slices.Sorted(slices.Values(urls)))
	now := s.now()
	t := tickNanos(tick)
	var claimed []string
	for batch := range slices.Chunk(urls, claimsPerStatement) {
		err := s.write(ctx, func(tx *txn) error {
			args := []any{owner, t, nanos(now.Add(ttl)), nanos(now)}
			var rows strings.Builder
			for i, url := range batch {
				if i > 0 {
					rows.WriteString(", ")
				}
				rows.WriteString("(?" + strconv.Itoa(5+i) + ", ?1, ?2, ?3, 0)")
				args = append(args, url)
			}
			res, err := tx.query(ctx, `INSERT INTO feed_claims (url, owner, tick, expires_at, done) VALUES `+rows.String()+`
				ON CONFLICT (url) DO UPDATE SET owner = excluded.owner,
					tick = CASE WHEN excluded.tick = 0 THEN feed_claims.tick ELSE excluded.tick END,
					expires_at = excluded.expires_at, done = 0
				WHERE (feed_claims.done = 1 OR feed_claims.expires_at <= ?4)
					AND (excluded.tick = 0 OR feed_claims.tick < excluded.tick OR feed_claims.done = 0)
				RETURNING url`, args...)
			if err != nil {
				return err
			}
			defer res.Close()
			var got []string
			for res.Next() {
				var url string
				if err := res.Scan(&url); err != nil {
					return err
				}
				got = append(got, url)
			}
			if err := res.Err(); err != nil {
				return err
			}
			claimed = append(claimed, got...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: claim feeds: %w", err)
		}
	}
	slices.Sort(claimed)
	return claimed, nil
}

// claimsPerStatement bounds one claim statement's rows (and parameters).
const claimsPerStatement = 500

// RenewClaims extends owner's claims that are not done to now+ttl.
func (s *Store) RenewClaims(ctx context.Context, owner string, ttl time.Duration) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `UPDATE feed_claims SET expires_at = ? WHERE owner = ? AND done = 0`, nanos(s.now().Add(ttl)), owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: renew feed claims: %w", err)
	}
	return nil
}

// ReleaseClaims gives up owner's claims that are not done (a poll that
// stopped early): they expire now, and any process may poll those feeds,
// for the same tick too.
func (s *Store) ReleaseClaims(ctx context.Context, owner string) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `UPDATE feed_claims SET expires_at = ? WHERE owner = ? AND done = 0`, nanos(s.now()), owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release feed claims: %w", err)
	}
	return nil
}

// markClaimDone is the statement SavePoll runs with a feed's state when
// the poll held a claim on it.
const markClaimDone = `UPDATE feed_claims SET done = 1 WHERE url = ? AND owner = ?`

// DigestDone reports whether channel's digest for the scheduled tick was
// completed (FinishDigest), by any process.
func (s *Store) DigestDone(ctx context.Context, channel string, tick time.Time) (bool, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT count(*) FROM digests WHERE channel = ? AND tick = ?`, channel, nanos(tick)).Scan(&n); err != nil {
		return false, fmt.Errorf("store: digest of %s for %s: %w", channel, tick.UTC().Format(time.RFC3339), err)
	}
	return n > 0, nil
}

// TickDeliveries counts the digest messages begun for channel's digest of
// the scheduled tick that were not abandoned: more than none means a
// process began that digest (and may have died before completing it).
func (s *Store) TickDeliveries(ctx context.Context, channel string, tick time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM deliveries WHERE channel = ? AND tick = ? AND kind = 'digest' AND state <> 'abandoned'`,
		channel, nanos(tick)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: messages of %s's digest for %s: %w", channel, tick.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}
