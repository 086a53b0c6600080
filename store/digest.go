package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest"
)

// CandidateQuery selects the items a digest for one channel may post.
type CandidateQuery struct {
	Channel  string
	From, To time.Time     // window on first_seen: From <= first_seen <= To; zero = unbounded
	Lookback time.Duration // feed lag tolerated before the window start, see Candidates
	Topics   []string      // only matches of these topics (empty = all)
}

// Candidates returns matched items not yet delivered to q.Channel, with their
// matches (restricted to q.Topics, best score first, then by topic name),
// oldest first_seen first (ties by ID). An item is a candidate when:
//   - it is not "remember only";
//   - From <= first_seen <= To;
//   - it is fresh: Published is zero, or Published >= min(From, first_seen -
//     Lookback); an item published before the window is stored, not posted, so
//     a new feed or one back after days down never floods the channel, while
//     feed lag of up to Lookback is tolerated;
//   - it has at least one match among q.Topics;
//   - it was not delivered to q.Channel, and no item with the same canonical
//     URL was delivered to q.Channel.
//
// Two undelivered items with the same canonical URL (one story from two
// feeds) are both returned; grouping them is the digest's job. Times come
// back in UTC. Candidates with the same terms share one Terms slice: it is
// read-only (appending to it copies).
func (s *Store) Candidates(ctx context.Context, q CandidateQuery) ([]newsdigest.Candidate, error) {
	query, args := s.d.candidatesQuery(q)
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: candidates: %w", err)
	}
	defer rows.Close()
	var out []newsdigest.Candidate
	// A window holds tens of thousands of candidates from a few hundred
	// feeds and topics, with few distinct term lists: those are kept once,
	// which is a tenth of a large digest's live memory.
	strs := map[string]string{}
	intern := func(s string) string {
		if v, ok := strs[s]; ok {
			return v
		}
		s = strings.Clone(s) // may be part of a longer string
		strs[s] = s
		return s
	}
	termLists := map[string][]string{}
	for rows.Next() {
		var (
			it        newsdigest.Item
			canon     sql.NullString
			published sql.NullInt64
			firstSeen int64
			packed    sql.NullString // NULL: no match (matched = 1 rules it out)
		)
		if err := rows.Scan(&it.ID, &it.FeedURL, &it.FeedName, &it.GUID, &it.Link, &canon, &it.Title, &it.Summary,
			&it.Source, &published, &firstSeen, &packed); err != nil {
			return nil, fmt.Errorf("store: candidates: %w", err)
		}
		c := newsdigest.Candidate{
			Item:         it,
			CanonicalURL: canon.String,
			FirstSeen:    time.Unix(0, firstSeen).UTC(),
		}
		c.Item.FeedURL, c.Item.FeedName, c.Item.Source = intern(it.FeedURL), intern(it.FeedName), intern(it.Source)
		c.Item.Published = fromNull(published)
		for rest := packed.String; rest != ""; {
			var topic, terms string
			var m newsdigest.Match
			if topic, m.Score, terms, rest, err = unpackMatch(rest); err != nil {
				return nil, fmt.Errorf("store: candidates: item %s: %w", it.ID, err)
			}
			m.Topic = intern(topic)
			if ts, ok := termLists[terms]; ok {
				m.Terms = ts
			} else {
				if err := json.Unmarshal([]byte(terms), &m.Terms); err != nil {
					return nil, fmt.Errorf("store: candidates: item %s: topic %s: terms: %w", it.ID, m.Topic, err)
				}
				m.Terms = slices.Clip(m.Terms)
				termLists[strings.Clone(terms)] = m.Terms
			}
			c.Matches = append(c.Matches, m)
		}
		slices.SortFunc(c.Matches, func(a, b newsdigest.Match) int {
			if a.Score != b.Score {
				return cmp.Compare(b.Score, a.Score)
			}
			return strings.Compare(a.Topic, b.Topic)
		})
		if len(c.Matches) > 0 {
			out = append(out, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: candidates: %w", err)
	}
	// Items come in items_candidates' order, first_seen then rowid: a poll's
	// items share one first_seen, and ordering them by ID here costs less
	// than SQLite's sort of whole rows or an index by (first_seen, id),
	// whose entries a poll would insert all over it.
	slices.SortFunc(out, func(a, b newsdigest.Candidate) int {
		if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
			return c
		}
		return strings.Compare(a.Item.ID, b.Item.ID)
	})
	return out, nil
}

// packMatchSQL is one match of an item as candidatesQuery's string_agg
// packs them (unpackMatch reads it): the byte lengths of topic and terms,
// the score, then topic and terms, which may hold any character.
const packMatchSQL = `CAST(octet_length(m.topic) AS TEXT) || ':' || CAST(octet_length(m.terms) AS TEXT) || ':' ||
	CAST(m.score AS TEXT) || ':' || m.topic || m.terms`

// unpackMatch reads the first match of packed (packMatchSQL's) and
// returns what follows it.
func unpackMatch(packed string) (topic string, score int, terms, rest string, err error) {
	var n [3]int
	for k := range n {
		colon := strings.IndexByte(packed, ':')
		if colon < 0 {
			return "", 0, "", "", fmt.Errorf("matches: malformed %q", packed)
		}
		if n[k], err = strconv.Atoi(packed[:colon]); err != nil || (k < 2 && n[k] < 0) {
			return "", 0, "", "", fmt.Errorf("matches: malformed %q", packed)
		}
		packed = packed[colon+1:]
	}
	if n[0] > len(packed) || n[1] > len(packed)-n[0] {
		return "", 0, "", "", fmt.Errorf("matches: malformed %q", packed)
	}
	return packed[:n[0]], n[2], packed[n[0] : n[0]+n[1]], packed[n[0]+n[1]:], nil
}

// FinishDigest records that a digest for channel covering [from, to]
// completed, at Store.Now(), for the scheduled tick (zero: on demand): once
// it is recorded, DigestDone says so to every process, and a second digest
// for the same channel and tick is refused.
func (s *Store) FinishDigest(ctx context.Context, channel string, tick, from, to time.Time) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `INSERT INTO digests (channel, from_ns, to_ns, finished_at, tick) VALUES (?, ?, ?, ?, ?)`,
			channel, nanos(from), nanos(to), nanos(s.now()), tickNanos(tick))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish digest for %s: %w", channel, err)
	}
	return nil
}

// LastDigest returns the end (`to`) of the latest-ending completed digest for
// channel, in UTC, or ok=false if none completed.
func (s *Store) LastDigest(ctx context.Context, channel string) (to time.Time, ok bool, err error) {
	var n sql.NullInt64
	if err := s.queryRow(ctx, `SELECT MAX(to_ns) FROM digests WHERE channel = ?`, channel).Scan(&n); err != nil {
		return time.Time{}, false, fmt.Errorf("store: last digest for %s: %w", channel, err)
	}
	if !n.Valid {
		return time.Time{}, false, nil
	}
	return time.Unix(0, n.Int64).UTC(), true, nil
}

// Prune deletes items first seen before `before`, with their matches and
// their delivered-to links, and returns how many items it deleted. It also
// deletes delivery records (digests and alerts) posted before `before` that
// no longer carry any item, and digest records that ended before `before` except each channel's
// latest, which LastDigest needs. The pruned items' IDs are kept (for three
// times the retention) so that an item its feed still lists comes back
// "remember only", never as news. Once an item's link is gone, an item with
// the same canonical URL is no longer held back by it; retention must
// therefore be well beyond the digest lookback (config checks it).
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	b := nanos(before)
	var n int64
	// Tombstones outlive their items three times the retention, long enough
	// for any feed to have dropped them.
	now := s.now()
	tombstonesBefore := nanos(now.Add(3 * before.Sub(now)))
	err := s.write(ctx, func(tx *txn) error {
		if _, err := tx.exec(ctx, `INSERT INTO pruned_items (id, pruned_at)
			SELECT id, CAST(? AS BIGINT) FROM items WHERE first_seen < ? ON CONFLICT (id) DO NOTHING`, nanos(now), b); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM pruned_items WHERE pruned_at < ?`, tombstonesBefore); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM items WHERE first_seen < ?`, b)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM deliveries WHERE posted_at < ?
			AND NOT EXISTS (SELECT 1 FROM delivered_items d WHERE d.delivery_id = deliveries.id)
			AND NOT EXISTS (SELECT 1 FROM alerted_items a WHERE a.delivery_id = deliveries.id OR a.alert_id = deliveries.id)`, b); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `DELETE FROM digests WHERE to_ns < ?
			AND to_ns < (SELECT MAX(d.to_ns) FROM digests d WHERE d.channel = digests.channel)`, b)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}

// numberedList is "?first, ?first+1, …", one numbered parameter per value,
// for an IN list, and their arguments.
func numberedList(first int, values []string) (string, []any) {
	names := make([]string, len(values))
	args := make([]any, len(values))
	for i, v := range values {
		names[i] = "?" + strconv.Itoa(first+i)
		args[i] = v
	}
	return strings.Join(names, ", "), args
}

// candidatesQuery is the SQL of Candidates and its arguments.
func (d *dialect) candidatesQuery(q CandidateQuery) (string, []any) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = nanos(q.From)
	}
	if !q.To.IsZero() {
		to = nanos(q.To)
	}
	lookback := max(q.Lookback, 0).Nanoseconds()

	// One row per item, its matches (of q.Topics) packed into one column:
	// the item's columns, its summary above all, are read once, not once
	// per match, and nothing is sorted before the first row comes back
	// (Candidates orders the items and their matches).
	topics, args := "", []any{from, to, lookback, q.Channel}
	if len(q.Topics) > 0 {
		list, targs := numberedList(5, q.Topics)
		topics = " AND " + d.noIndex + "m.topic IN (" + list + ")"
		args = append(args, targs...)
	}
	var sb strings.Builder
	sb.WriteString(`SELECT i.id, i.feed_url, i.feed_name, i.guid, i.link, i.canonical_url, i.title, i.summary,
			i.source, i.published, i.first_seen,
			(SELECT string_agg(` + packMatchSQL + `, '') FROM matches m WHERE m.item_id = i.id` + topics + `)
		FROM items i
		WHERE i.matched = 1 AND i.remember_only = 0 -- items_candidates
			AND i.first_seen BETWEEN ?1 AND ?2
			AND (i.published IS NULL OR i.published >= ` + d.least + `(?1, i.first_seen - ?3))
			AND NOT EXISTS (SELECT 1 FROM delivered_items d WHERE d.channel = ?4 AND d.item_id = i.id)
			AND (i.canonical_url IS NULL OR NOT EXISTS (
				SELECT 1 FROM delivered_items d WHERE d.channel = ?4 AND d.canonical_url = i.canonical_url))`)
	if topics != "" {
		sb.WriteString(" AND EXISTS (SELECT 1 FROM matches m WHERE m.item_id = i.id" + topics + ")")
	}

	return sb.String(), args
}

// tickNanos is a tick's column value: 0 for none.
func tickNanos(tick time.Time) int64 {
	if tick.IsZero() {
		return 0
	}
	return nanos(tick)
}
