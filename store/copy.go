package store

import (
	"context"
	"fmt"
	"strings"
)

// copyTables are the tables Copy moves, parents before children, with
// their columns. Leases and feed claims are not copied: they belong to the
// processes running at the time, and none may run during a copy.
var copyTables = []struct {
	name    string
	columns string
}{
	{"feeds", "url, name, etag, last_modified, last_status, last_error, last_polled_at, last_ok_at, failing_since, failures, polls, next_poll_at, moved_to"},
	{"items", "id, feed_url, feed_name, guid, link, canonical_url, title, summary, source, published, first_seen, remember_only, matched"},
	{"matches", "item_id, topic, score, terms"},
	{"deliveries", "id, channel, ts, posted_at, state, digest_id, part, thread_ts, channel_id, item_ids, kind, alert_of, rule, headline, outlets, tick"},
	{"delivered_items", "channel, item_id, delivery_id, canonical_url"},
	{"alerted_items", "channel, item_id, alert_id, delivery_id"},
	{"digests", "id, channel, from_ns, to_ns, finished_at, tick"},
	{"pruned_items", "id, pruned_at"},
}

// copyRowsPerInsert bounds one multi-row insert of Copy.
const copyRowsPerInsert = 200

// CopyReport counts the rows Copy moved, per table, in copy order.
type CopyReport struct {
	Tables []string
	Rows   []int64
}

// Copy copies everything src holds (feed states, items and matches,
// deliveries and what they carried, digests, pruned identities) into dst,
// which must be empty, in one transaction of dst: a failed copy leaves dst
// empty. Row IDs are kept (deliveries refer to each other), and dst's ID
// sequences continue after them. Neither store may be in use meanwhile.
// This is how a team moves from SQLite to PostgreSQL (or back) without
// losing its delivery history, so that nothing is posted again.
func Copy(ctx context.Context, dst, src *Store) (CopyReport, error) {
	var rep CopyReport
	if empty, err := dst.empty(ctx); err != nil {
		return rep, fmt.Errorf("store: copy: %w", err)
	} else if !empty {
		return rep, fmt.Errorf("store: copy: %s is not empty; copy only into a new database", dst.name)
	}
	err := dst.write(ctx, func(tx *txn) error {
		rep = CopyReport{}
		for _, t := range copyTables {
			n, err := copyTable(ctx, tx, src, t.name, t.columns)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			rep.Tables = append(rep.Tables, t.name)
			rep.Rows = append(rep.Rows, n)
		}
		if dst.d == postgresDialect {
			for _, table := range []string{"deliveries", "digests"} {
				if _, err := tx.exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM `+table); err != nil {
					return fmt.Errorf("%s: continue its IDs: %w", table, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return CopyReport{}, fmt.Errorf("store: copy %s to %s: %w", src.name, dst.name, err)
	}
	return rep, nil
}

// empty reports whether the store holds no feed, item, delivery or digest.
func (s *Store) empty(ctx context.Context) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT (SELECT count(*) FROM feeds) + (SELECT count(*) FROM items)
		+ (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM digests)`).Scan(&n)
	return n == 0, err
}

// copyTable streams one table of src into tx, in multi-row inserts.
func copyTable(ctx context.Context, tx *txn, src *Store, table, columns string) (int64, error) {
	ncol := strings.Count(columns, ",") + 1
	rows, err := src.query(ctx, `SELECT `+columns+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
		k := len(batch) / ncol
		q := `INSERT INTO ` + table + ` (` + columns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", k), ", ")
		_, err := tx.exec(ctx, q, batch...)
		batch = batch[:0]
		return err
	}
	vals := make([]any, ncol)
	ptrs := make([]any, ncol)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok { // a driver's text as bytes
				v = string(b)
			}
			batch = append(batch, v)
		}
		n++
		if len(batch) >= copyRowsPerInsert*ncol {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}
