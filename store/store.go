// Package store keeps newsdigest's state in a SQLite file (the default) or
// a PostgreSQL database (several replicas): feed validators and health,
// items with their topic matches, deliveries to Slack (digests and alerts,
// through one outbox), what alerts carried, completed digests, and the
// leases and claims that let several processes share the work. The two
// engines run the same queries (dialect.go) and keep the same schema,
// migrated per engine (migrations/sqlite, migrations/postgres).
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

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// busyTimeout is how long a statement waits for another connection or
// process that holds the write lock before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is a handle on one database: a SQLite file (several processes may
// open it at once) or a PostgreSQL database (several replicas may share
// it). It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	d    *dialect
	name string // for errors: the file, or "postgres" and the database (never the DSN)

	// writeMu serializes this process's write transactions on SQLite so
	// that they queue in Go instead of polling SQLite's busy handler;
	// other processes are kept out by SQLite's own lock and busy_timeout.
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

// Options says which database to open and how.
type Options struct {
	// Driver is DriverSQLite (the default when empty) or DriverPostgres.
	Driver string
	// Path is the SQLite file.
	Path string
	// DSN is the PostgreSQL connection string (a URL or key=value pairs,
	// as pgx reads them). It is a secret: no error or log line repeats it.
	DSN string
	// PostgreSQL pool: at most MaxConns connections (default
	// DefaultMaxConns), each replaced after ConnMaxLifetime (default
	// DefaultConnMaxLifetime); connecting gives up after ConnectTimeout
	// (default DefaultConnectTimeout) and a statement after
	// StatementTimeout (default DefaultStatementTimeout).
	MaxConns         int
	ConnMaxLifetime  time.Duration
	ConnectTimeout   time.Duration
	StatementTimeout time.Duration
}

// Open opens the SQLite file at path, creating it when missing (its parent
// directory must exist), and brings its schema up to date. The file is put
// in WAL mode with foreign keys enforced.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, Options{Driver: DriverSQLite, Path: path})
}

// OpenWith opens the database o names and brings its schema up to date
// (see migrate: two processes opening it together do not race).
func OpenWith(ctx context.Context, o Options) (*Store, error) {
	var s *Store
	var err error
	switch o.Driver {
	case "", DriverSQLite:
		// Processes opening a new file at once can meet SQLite's locks
		// where its busy handler does not wait (switching the new file to
		// WAL): such an open is tried again.
		for attempt := 1; ; attempt++ {
			if s, err = openSQLite(ctx, o.Path); err == nil {
				if err = s.migrate(ctx); err != nil {
					s.db.Close()
					err = fmt.Errorf("store: open %s: %w", s.name, err)
				}
			}
			if err == nil {
				return s, nil
			}
			if attempt == 5 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
				return nil, err
			}
			select {
			case <-ctx.Done():
				return nil, err
			case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
			}
		}
	case DriverPostgres:
		s, err = openPostgres(ctx, o)
	default:
		return nil, fmt.Errorf("store: unknown driver %q (want %s or %s)", o.Driver, DriverSQLite, DriverPostgres)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.name, err)
	}
	return s, nil
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if err := CheckPath(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	// Statement journals (a multi-row INSERT keeps one) stay in memory.
	// Connections keep SQLite's 2 MiB page cache (each page takes twice
	// its size in modernc's allocator); a PollWriter enlarges its own for
	// the poll's duration (pollCacheKiB).
	dsn := path + "?" + strings.Join([]string{
		"_txlock=immediate",
		"_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=temp_store(MEMORY)",
		// Checkpoint once the WAL holds 4,000 pages (16 MiB), not 1,000:
		// a poll's transactions touch many of the same index pages, and
		// a checkpoint copies each page once however often it changed
		// since the last (BenchmarkSavePoll in groups of 2,500 items as
		// the pipeline stores them: -10% CPU, -23% bytes written).
		"_pragma=wal_autocheckpoint(4000)",
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

	s := &Store{db: db, d: sqliteDialect, name: path, Now: time.Now}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// Driver names the engine under the store: DriverSQLite or DriverPostgres.
func (s *Store) Driver() string { return s.d.name }

// Ping checks that the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: %s: %w", s.name, err)
	}
	return nil
}

// Close closes the database. It is safe to call on a nil *Store.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.name, err)
	}
	return nil
}

// migration is one embedded script; its name starts with its version
// number, e.g. "0001_init.sql".
type migration struct {
	version int
	name    string // path in migrationFS
}

// migrations returns the dialect's embedded migration scripts in order.
// Their versions are consecutive from the first one's: SQLite's start at
// 1; PostgreSQL's at 8, one script equal to SQLite's 1 to 8, and from
// there both dialects get each new version (same number, same name), which
// TestMigrationsInStep checks.
func (d *dialect) migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/"+d.name+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for i, name := range names {
		base := filepath.Base(name)
		num, _, _ := strings.Cut(base, "_")
		n, err := strconv.Atoi(num)
		if err != nil || (i > 0 && n != out[0].version+i) {
			return nil, fmt.Errorf("migration %s: its number does not follow the one before", base)
		}
		out = append(out, migration{version: n, name: name})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no migrations for %s", d.name)
	}
	return out, nil
}

// migrate applies every pending migration and records the schema version,
// all in one transaction. A store that is up to date is only read: opening
// it never waits for, nor blocks, another process's writes. Another
// process migrating at the same time is waited for (SQLite's write lock,
// PostgreSQL's advisory lock), and its work is not repeated.
func (s *Store) migrate(ctx context.Context) error {
	migs, err := s.d.migrations()
	if err != nil {
		return err
	}
	latest := migs[len(migs)-1].version
	version, err := s.schemaVersion(ctx, s.db)
	switch {
	case err != nil:
		return err
	case version == latest:
		return nil
	case version > latest:
		return fmt.Errorf("schema version %d is newer than this program knows (%d)", version, latest)
	}
	return s.write(ctx, func(tx *txn) error {
		if err := s.lockSchema(ctx, tx); err != nil {
			return err
		}
		// Read again under the lock: another process may have migrated
		// meanwhile.
		version, err := s.schemaVersion(ctx, tx.tx)
		if err != nil {
			return err
		}
		if version > latest {
			return fmt.Errorf("schema version %d is newer than this program knows (%d)", version, latest)
		}
		for _, m := range migs {
			if m.version <= version {
				continue
			}
			script, err := migrationFS.ReadFile(m.name)
			if err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, string(script)); err != nil {
				return fmt.Errorf("migration %s: %w", filepath.Base(m.name), err)
			}
		}
		if version != latest {
			if err := s.setSchemaVersion(ctx, tx, latest); err != nil {
				return fmt.Errorf("set schema version: %w", err)
			}
		}
		return nil
	})
}

// SchemaVersion returns the version of the store's schema: the last
// migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	v, err := s.schemaVersion(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", s.name, err)
	}
	return v, nil
}

// queryer is what schemaVersion reads with: the pool or a transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var version int
	if s.d == sqliteDialect {
		if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return 0, fmt.Errorf("read schema version: %w", err)
		}
		return version, nil
	}
	return pgSchemaVersion(ctx, q)
}

func (s *Store) lockSchema(ctx context.Context, tx *txn) error {
	if s.d == sqliteDialect {
		return nil // the write transaction holds SQLite's lock
	}
	return pgLockSchema(ctx, tx)
}

func (s *Store) setSchemaVersion(ctx context.Context, tx *txn, version int) error {
	if s.d == sqliteDialect {
		_, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
		return err
	}
	return pgSetSchemaVersion(ctx, tx, version)
}

// write runs fn in one write transaction (BEGIN IMMEDIATE on SQLite) and
// commits it when fn returns nil; otherwise it rolls back and returns fn's
// error. On PostgreSQL a transaction that lost a deadlock or a
// serialization conflict is run again (fn must leave no trace of a failed
// run outside the transaction).
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	return s.writeOn(ctx, nil, fn)
}

// writeOn is write on conn, one connection of the pool (nil: any).
func (s *Store) writeOn(ctx context.Context, conn *sql.Conn, fn func(tx *txn) error) error {
	if s.d.serialWrites {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, conn, fn)
		if err == nil || attempt == maxWriteAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// maxWriteAttempts bounds write's runs of one transaction.
const maxWriteAttempts = 5

func (s *Store) writeOnce(ctx context.Context, conn *sql.Conn, fn func(tx *txn) error) error {
	var tx *sql.Tx
	var err error
	if conn != nil {
		tx, err = conn.BeginTx(ctx, nil)
	} else {
		tx, err = s.db.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&txn{tx: tx, d: s.d}); err != nil {
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
