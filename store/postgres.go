package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Defaults of the PostgreSQL pool (Options).
const (
	DefaultMaxConns         = 10
	DefaultConnMaxLifetime  = 30 * time.Minute
	DefaultConnectTimeout   = 10 * time.Second
	DefaultStatementTimeout = time.Minute
)

// schemaLockKey is the advisory lock that migrations hold, so that two
// replicas starting together migrate once ("newsdige" in ASCII).
const schemaLockKey = 0x6e65777364696765

// openPostgres connects to the database o.DSN names, through pgx's
// database/sql adapter. The DSN never appears in an error: pgx's own
// errors leave its password out, and the store names itself by host and
// database only.
func openPostgres(ctx context.Context, o Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(o.DSN)
	if err != nil {
		// pgx's parse errors redact the password; say no more of the DSN.
		return nil, fmt.Errorf("store: postgres: the DSN does not parse: %w", err)
	}
	name := "postgres database " + strconv.Quote(cfg.Database) + " on " + cfg.Host
	connectTimeout := durationOr(o.ConnectTimeout, DefaultConnectTimeout)
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > connectTimeout {
		cfg.ConnectTimeout = connectTimeout
	}
	if _, ok := cfg.RuntimeParams["statement_timeout"]; !ok {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(durationOr(o.StatementTimeout, DefaultStatementTimeout).Milliseconds(), 10)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "newsdigest"
	}
	db := stdlib.OpenDB(*cfg)
	maxConns := o.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(durationOr(o.ConnMaxLifetime, DefaultConnMaxLifetime))
	db.SetConnMaxIdleTime(5 * time.Minute)

	s := &Store{db: db, d: postgresDialect, name: name, Now: time.Now}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", name, err)
	}
	return s, nil
}

func durationOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// pgSchemaVersion reads the version in schema_migrations: 0 when the table
// is not there yet (an empty database).
func pgSchemaVersion(ctx context.Context, q queryer) (int, error) {
	// A catalog query rather than to_regclass(): a prepared statement
	// (pgx caches them) must not answer from a plan made before another
	// process created the table.
	var tables int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_tables
		WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`).Scan(&tables)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if tables == 0 {
		return 0, nil
	}
	var version sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(version.Int64), nil
}

// pgLockSchema takes the migration lock until the transaction ends.
func pgLockSchema(ctx context.Context, tx *txn) error {
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(schemaLockKey)); err != nil {
		return fmt.Errorf("lock the schema for migration: %w", err)
	}
	return nil
}

func pgSetSchemaVersion(ctx context.Context, tx *txn, version int) error {
	if _, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version) VALUES (?) ON CONFLICT (version) DO NOTHING`, version)
	return err
}

// retryable reports whether a transaction failed only because it met
// another one (PostgreSQL's serialization_failure and deadlock_detected):
// run again, it succeeds.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
