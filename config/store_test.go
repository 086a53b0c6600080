package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestStorePostgres(t *testing.T) {
	const dsn = "postgres://newsdigest:s3cr3t-pw@db.internal:5432/newsdigest?sslmode=require"
	env := map[string]string{"NEWSDIGEST_DSN": dsn}
	c := mustParse(t, `store:
  driver: postgres
  dsn: ${NEWSDIGEST_DSN}
  max_conns: 20
  conn_max_lifetime: 10m
  connect_timeout: 5s
  statement_timeout: 30s
  lease_ttl: 5s
`, "c.yaml", func(k string) string { return env[k] })
	want := Store{Driver: "postgres", Path: "newsdigest.db", Retention: DefaultRetention, DSN: dsn, MaxConns: 20,
		ConnMaxLifetime: 10 * time.Minute, ConnectTimeout: 5 * time.Second, StatementTimeout: 30 * time.Second, LeaseTTL: 5 * time.Second}
	if c.Store != want {
		t.Errorf("Store = %#v; want %#v", c.Store, want)
	}
	if !c.Store.Postgres() {
		t.Error("Postgres() = false")
	}
	// The DSN is a secret: never printed, and redacted from any text,
	// also its password alone.
	js, _ := json.Marshal(c.Store)
	for _, out := range []string{fmt.Sprint(c.Store), fmt.Sprintf("%+v", c.Store), fmt.Sprintf("%#v", c.Store), string(js),
		c.Redact("connect " + dsn + ": bad"), c.Redact("password s3cr3t-pw refused")} {
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("the DSN's password shows: %s", out)
		}
	}
	if !strings.Contains(fmt.Sprint(c.Store), "[redacted]") {
		t.Errorf("Store prints as %v; want the DSN shown as [redacted]", c.Store)
	}
}

func TestStoreProblems(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"store:\n  driver: mysql\n", `store.driver: must be sqlite or postgres, got "mysql"`},
		{"store:\n  driver: postgres\n", "store.dsn: is required with driver postgres"},
		{"store:\n  driver: postgres\n  dsn: ${UNSET_DSN}\n", "${UNSET_DSN} is not set or empty"},
		{"store:\n  dsn: postgres://x@y/z\n", "store.dsn: is only read with driver postgres"},
		{"store:\n  driver: postgres\n  dsn: postgres://x@y/z\n  max_conns: 0\n", "store.max_conns"},
		{"store:\n  driver: postgres\n  dsn: postgres://x@y/z\n  lease_ttl: -1s\n", "store.lease_ttl: must be positive"},
	} {
		_, err := Parse([]byte(tt.yaml), "c.yaml", func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v; want an error containing %q", tt.yaml, err, tt.want)
		}
	}
}
