package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// A dialect is what differs between the SQL engines the store runs on.
// Every query is written once, in the syntax both accept (ON CONFLICT,
// RETURNING, CASE, CAST), with SQLite's placeholders: "?" or "?N". The few
// places where the engines disagree read a field of the dialect instead of
// keeping two copies of the query.
type dialect struct {
	name string // "sqlite" or "postgres"

	// numbered: placeholders are $N (PostgreSQL). Queries are rewritten
	// once each and the rewrite is cached.
	numbered bool
	// least is the two-argument minimum: SQLite's scalar min(), LEAST.
	least string
	// serialWrites: the engine allows one writer at a time (SQLite), so this
	// process queues its write transactions in Go instead of in the
	// engine's busy handler. PostgreSQL takes row locks: writers proceed
	// together and a deadlock is retried (Store.write).
	serialWrites bool
	// cleanText: the engine refuses NUL and invalid UTF-8 in text
	// (PostgreSQL), so string arguments are made valid first: NUL is
	// dropped, invalid bytes become U+FFFD. SQLite stores them as given.
	cleanText bool
	// insertItems begins the item insert (see insertItemsSQL). On SQLite it
	// is INSERT OR IGNORE: a statement that may abort halfway (on a CHECK
	// or NOT NULL constraint) makes SQLite copy every page it touches
	// into a statement journal first, which was a tenth of a poll's write
	// CPU; with OR IGNORE no item constraint can abort it.
	insertItems string
	// noIndex before a column keeps SQLite from searching an index by
	// it: "+" (unary plus), where SQLite would rather seek the matches'
	// primary key once per topic of a list than read an item's two or
	// three matches and test them. PostgreSQL has no such operator for
	// text and plans well on its own.
	noIndex string

	rebound sync.Map // query -> rewritten query
}

var (
	sqliteDialect   = &dialect{name: DriverSQLite, least: "min", serialWrites: true, insertItems: "INSERT OR IGNORE", noIndex: "+"}
	postgresDialect = &dialect{name: DriverPostgres, numbered: true, least: "LEAST", cleanText: true, insertItems: "INSERT"}
)

// The drivers Options.Driver names.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// sql returns query in the dialect's placeholders.
func (d *dialect) sql(query string) string {
	if !d.numbered {
		return query
	}
	if q, ok := d.rebound.Load(query); ok {
		return q.(string)
	}
	q := numberPlaceholders(query)
	d.rebound.Store(query, q)
	return q
}

// args returns the arguments of a query as the engine accepts them.
func (d *dialect) args(args []any) []any {
	if !d.cleanText {
		return args
	}
	var out []any
	for i, a := range args {
		s, ok := a.(string)
		if !ok || validText(s) {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = cleanText(s)
	}
	if out == nil {
		return args
	}
	return out
}

func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// cleanText drops NUL bytes and turns invalid UTF-8 into U+FFFD.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// numberPlaceholders rewrites SQLite's "?" and "?N" as "$N": a bare "?"
// takes the number after the highest one used so far, as in SQLite.
// Question marks inside quoted strings and identifiers are left alone.
func numberPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	next := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := next + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			next = max(next, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// txn is a write transaction that speaks the store's dialect: queries are
// written as for SQLite and rewritten as needed.
type txn struct {
	tx *sql.Tx
	d  *dialect
}

func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.sql(query), t.d.args(args)...)
}

func (t *txn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.sql(query), t.d.args(args)...)
}

func (t *txn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.sql(query), t.d.args(args)...)
}

func (t *txn) prepare(ctx context.Context, query string) (*stmt, error) {
	st, err := t.tx.PrepareContext(ctx, t.d.sql(query))
	if err != nil {
		return nil, err
	}
	return &stmt{st: st, d: t.d}, nil
}

// stmt is a prepared statement of a txn.
type stmt struct {
	st *sql.Stmt
	d  *dialect
}

func (s *stmt) exec(ctx context.Context, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, s.d.args(args)...)
}

func (s *stmt) query(ctx context.Context, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, s.d.args(args)...)
}

func (s *stmt) queryRow(ctx context.Context, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, s.d.args(args)...)
}

func (s *stmt) close() error { return s.st.Close() }

// query and queryRow read outside a transaction, in the store's dialect.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.d.sql(query), s.d.args(args)...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.d.sql(query), s.d.args(args)...)
}
