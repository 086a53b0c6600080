// Package store keeps newsdigest's state in a SQLite file: feed validators and
// health, items with their topic matches, deliveries to Slack (digests and
// alerts, through one outbox), what alerts carried, and completed
// digests.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a statement waits for another connection or
// process that holds the write lock before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is a handle on one SQLite file. It is safe for concurrent use, and
// several processes may open the same file at once.
type Store struct {
	db   *sql.DB
	path string

	// writeMu serializes this process's write transactions so that they
	// queue in Go instead of polling SQLite's busy handler; other processes
	// are kept out by SQLite's own lock and busy_timeout.
	writeMu sync.Mutex

	// Now returns the current time; FinishDigest and defaults use it. Tests
	// may replace it before first use.
	Now func() time.Time

	// betweenBatches, when set (tests), runs after each transaction of a
	// SavePoll but the last, outside the write lock.
	betweenBatches func()
	// batchItems, when positive (tests), bounds SavePoll's transactions
	// to this many items.
	batchItems int
}

// Open opens the SQLite file at path, creating it when missing (its parent
// directory must exist), and brings its schema up to date. The file is put
// in WAL mode with foreign keys enforced.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := CheckPath(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	// Statement journals (a multi-row INSERT keeps one) stay in memory. A
	// page cache of 16 MiB instead of SQLite's 2 MiB would save ~12% of a
	// large poll's write CPU and ~40% of its bytes written
	// (BenchmarkSavePoll), but costs up to 16 MiB per connection of peak
	// memory, which the whole run cannot spare (docs/PERFORMANCE.md).
	dsn := path + "?" + strings.Join([]string{
		"_txlock=immediate",
		"_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=temp_store(MEMORY)",
	}, "&")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One writer at a time is all SQLite allows; a few connections let
	// readers proceed beside it under WAL.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)

	s := &Store{db: db, path: path, Now: time.Now}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database. It is safe to call on a nil *Store.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// migrations returns the embedded migration scripts in order. Their names
// start with their 1-based version number, e.g. "0001_init.sql".
func migrations() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, name := range names {
		base := filepath.Base(name)
		num, _, _ := strings.Cut(base, "_")
		n, err := strconv.Atoi(num)
		if err != nil || n != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", base, i+1)
		}
	}
	return names, nil
}

// migrate applies every pending migration and records the version in
// PRAGMA user_version, all in one transaction. A store that is up to date
// is only read: opening it never waits for, nor blocks, another process's
// writes.
func (s *Store) migrate(ctx context.Context) error {
	names, err := migrations()
	if err != nil {
		return err
	}
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case version == len(names):
		return nil
	case version > len(names):
		return fmt.Errorf("schema version %d is newer than this program knows (%d)", version, len(names))
	}
	// Read again under the write lock: another process may have migrated
	// meanwhile.
	return s.write(ctx, func(tx *sql.Tx) error {
		var version int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if version > len(names) {
			return fmt.Errorf("schema version %d is newer than this program knows (%d)", version, len(names))
		}
		for i := version; i < len(names); i++ {
			script, err := migrationFS.ReadFile(names[i])
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return fmt.Errorf("migration %s: %w", filepath.Base(names[i]), err)
			}
		}
		if version != len(names) {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(names))); err != nil {
				return fmt.Errorf("set schema version: %w", err)
			}
		}
		return nil
	})
}

// write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil; otherwise it rolls back and returns fn's error.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Times are stored as INTEGER nanoseconds since the Unix epoch, NULL for the
// zero time. Times outside what an int64 of nanoseconds can hold (before 1678
// or after 2262: bogus feed dates) are clamped to the nearest end.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// nullTime is the column value for t: NULL when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return nanos(t)
}

// fromNull turns a column value back into a UTC time, zero for NULL.
func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
