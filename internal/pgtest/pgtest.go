// Package pgtest gives a test its own PostgreSQL database on the server
// that NEWSDIGEST_TEST_POSTGRES names (a DSN, e.g.
// postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable; .ci/run
// starts a throwaway server and sets it). Without that variable the test
// is skipped, unless CI is set: then it fails, so that CI cannot pass by
// skipping the PostgreSQL tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the variable that names the test server.
const EnvDSN = "NEWSDIGEST_TEST_POSTGRES"

// Server returns the DSN of the test server, skipping or failing the test
// as the package comment says when there is none or it does not answer.
func Server(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	ci := os.Getenv("CI") != ""
	if dsn == "" {
		if ci {
			t.Fatalf("%s is not set, and CI is: .ci/run must start PostgreSQL and set it", EnvDSN)
		}
		t.Skipf("no PostgreSQL to test against: set %s to a server's DSN (.ci/run starts one) to run this test", EnvDSN)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if ci {
			t.Fatalf("PostgreSQL at %s does not answer: %v", EnvDSN, err)
		}
		t.Skipf("PostgreSQL at %s does not answer (%v); skipping", EnvDSN, err)
	}
	conn.Close(ctx)
	return dsn
}

// NewDatabase creates an empty database with a random name on the test
// server, drops it when the test ends, and returns its DSN.
func NewDatabase(t testing.TB) string {
	t.Helper()
	dsn := Server(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "newsdigest_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Errorf("connect to drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return WithDatabase(dsn, name)
}

// WithDatabase returns dsn (a URL or key=value pairs) naming database name
// instead of its own.
func WithDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name
}
