package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/newsdigest/newsdigest/internal/pgtest"
)

// EnvStore chooses the engine the store's test suite runs on: unset or
// "sqlite" for SQLite files, "postgres" for a fresh database per test on
// the server pgtest names. .ci/run runs the suite both ways.
const EnvStore = "NEWSDIGEST_TEST_STORE"

func testDriver() string {
	if os.Getenv(EnvStore) == DriverPostgres {
		return DriverPostgres
	}
	return DriverSQLite
}

// sqliteOnly skips a test about SQLite files when the suite runs on
// PostgreSQL.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if testDriver() != DriverSQLite {
		t.Skip("about SQLite files; the suite runs on PostgreSQL")
	}
}

// mustOpenPostgres opens a store on a new database of the test server.
func mustOpenPostgres(t testing.TB) *Store {
	t.Helper()
	return mustOpenDSN(t, pgtest.NewDatabase(t))
}

// mustOpenShared opens n stores on one new database, as n processes would:
// a SQLite file, or a PostgreSQL database (EnvStore).
func mustOpenShared(t testing.TB, n int) []*Store {
	t.Helper()
	var open func() *Store
	if testDriver() == DriverPostgres {
		dsn := pgtest.NewDatabase(t)
		open = func() *Store { return mustOpenDSN(t, dsn) }
	} else {
		path := filepath.Join(t.TempDir(), "shared.db")
		open = func() *Store { return mustOpenPath(t, path) }
	}
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = open()
	}
	return stores
}

func mustOpenDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), Options{Driver: DriverPostgres, DSN: dsn, MaxConns: 4})
	if err != nil {
		t.Fatalf("OpenWith(postgres): %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestNumberPlaceholders(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT ? , ?`:                            `SELECT $1 , $2`,
		`VALUES (?1, ?2, ?1) WHERE x = ?3`:        `VALUES ($1, $2, $1) WHERE x = $3`,
		`a = ?2 AND b = ?`:                        `a = $2 AND b = $3`,
		`x = '?' AND "q?" = ? -- `:                `x = '?' AND "q?" = $1 -- `,
		`IN (?5, ?6, ?7) AND y BETWEEN ?1 AND ?2`: `IN ($5, $6, $7) AND y BETWEEN $1 AND $2`,
	} {
		if got := numberPlaceholders(in); got != want {
			t.Errorf("numberPlaceholders(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestCleanTextArgs(t *testing.T) {
	in := []any{"ok", "nul\x00byte", "bad\xffutf8", 7, nil}
	got := postgresDialect.args(in)
	want := []any{"ok", "nulbyte", "bad\uFFFDutf8", 7, nil}
	if !slices.Equal(got, want) {
		t.Errorf("args(%q) = %q; want %q", in, got, want)
	}
	if in[1] != "nul\x00byte" {
		t.Error("args changed its input")
	}
	if got := sqliteDialect.args(in); &got[0] != &in[0] {
		t.Error("SQLite's args are not passed through as they are")
	}
}

// TestMigrationsInStep: from the version PostgreSQL's schema starts at,
// both dialects have the same migrations, under the same names.
func TestMigrationsInStep(t *testing.T) {
	lite, err := sqliteDialect.migrations()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := postgresDialect.migrations()
	if err != nil {
		t.Fatal(err)
	}
	if lite[0].version != 1 {
		t.Errorf("SQLite's first migration is %d; want 1", lite[0].version)
	}
	if pg[0].version != 8 || !strings.HasSuffix(pg[0].name, "/0008_init.sql") {
		t.Errorf("PostgreSQL's first migration is %s; want 0008_init.sql (SQLite's 1 to 8 in one)", pg[0].name)
	}
	base := func(m migration) string { return m.name[strings.LastIndexByte(m.name, '/')+1:] }
	var liteNames, pgNames []string
	for _, m := range lite[pg[0].version:] { // after SQLite's 0008
		liteNames = append(liteNames, base(m))
	}
	for _, m := range pg[1:] {
		pgNames = append(pgNames, base(m))
	}
	if !slices.Equal(liteNames, pgNames) {
		t.Errorf("migrations after 0008: SQLite %v, PostgreSQL %v; want the same", liteNames, pgNames)
	}
	if lite[len(lite)-1].version != pg[len(pg)-1].version {
		t.Errorf("latest version: SQLite %d, PostgreSQL %d; want the same", lite[len(lite)-1].version, pg[len(pg)-1].version)
	}
}

// TestMigrateConcurrently is replicas starting together on an empty
// PostgreSQL database: the advisory lock lets one migrate, and the others
// find the schema done (TestOpenConcurrently is SQLite's).
func TestMigrateConcurrently(t *testing.T) {
	if testDriver() != DriverPostgres {
		t.Skip("PostgreSQL's migration lock; TestOpenConcurrently covers SQLite")
	}
	dsn := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s, err := OpenWith(context.Background(), Options{Driver: DriverPostgres, DSN: dsn})
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
				return
			}
			defer s.Close()
			if v, err := s.SchemaVersion(context.Background()); err != nil || v != latestVersion(t, postgresDialect) {
				t.Errorf("replica %d: SchemaVersion = %d, %v; want %d", i, v, err, latestVersion(t, postgresDialect))
			}
		})
	}
	wg.Wait()
}
