package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/store"
)

// storeOptions is how the config's store section opens the store; driver
// overrides store.driver ("" keeps it).
func storeOptions(cfg *config.Config, driver string) store.Options {
	if driver == "" {
		driver = cfg.Store.Driver
	}
	if driver == "" {
		driver = store.DriverSQLite
	}
	return store.Options{
		Driver: driver, Path: cfg.Store.Path, DSN: cfg.Store.DSN,
		MaxConns: cfg.Store.MaxConns, ConnMaxLifetime: cfg.Store.ConnMaxLifetime,
		ConnectTimeout: cfg.Store.ConnectTimeout, StatementTimeout: cfg.Store.StatementTimeout,
	}
}

// openStore opens the configured store (or the one driver names), with
// every secret of the config redacted from its error.
func openStore(ctx context.Context, cfg *config.Config, driver string) (*store.Store, error) {
	st, err := store.OpenWith(ctx, storeOptions(cfg, driver))
	if err != nil {
		return nil, fmt.Errorf("%s", cfg.Redact(err.Error()))
	}
	return st, nil
}

// cmdMigrate brings the configured store's schema up to date and says
// which version it is at. serve and run migrate on start too (two replicas
// starting together migrate once); migrate lets a deploy do it first.
func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "migrate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("%s", cfg.Redact(err.Error()))
	}
	fmt.Fprintf(e.stdout, "store (%s): schema version %d, up to date\n", st.Driver(), v)
	return nil
}

// cmdStore runs `newsdigest store copy -from sqlite -to postgres`: the
// SQLite file of store.path into the PostgreSQL database of store.dsn (or
// the other way), so that a team moving keeps its delivery history.
func cmdStore(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		return usagef("store: want `newsdigest store copy -from sqlite -to postgres [-config F]`")
	}
	fs, cfgPath := newFlagSet(e, "store copy")
	from := fs.String("from", store.DriverSQLite, "the store to copy from: sqlite (store.path) or postgres (store.dsn)")
	to := fs.String("to", store.DriverPostgres, "the store to copy into, which must be empty")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("store copy: unexpected argument %q", fs.Arg(0))
	}
	for _, d := range []string{*from, *to} {
		if d != store.DriverSQLite && d != store.DriverPostgres {
			return usagef("store copy: -from and -to are sqlite or postgres, got %q", d)
		}
	}
	if *from == *to {
		return usagef("store copy: -from and -to are the same store (%s)", *from)
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	if cfg.Store.DSN == "" {
		return usagef("store copy: store.dsn is not set in %s: set store.driver: postgres and dsn: ${NEWSDIGEST_DSN}", *cfgPath)
	}
	if *from == store.DriverSQLite {
		if err := store.CheckPath(cfg.Store.Path); err != nil {
			return usagef("store copy: store.path: %v", err)
		}
	}
	src, err := openStore(ctx, cfg, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openStore(ctx, cfg, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := store.Copy(ctx, dst, src)
	if err != nil {
		return fmt.Errorf("%s", cfg.Redact(err.Error()))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	for i, t := range rep.Tables {
		fmt.Fprintf(tw, "%s\t%d\t\n", t, rep.Rows[i])
	}
	tw.Flush()
	driver := "sqlite (or remove it)"
	if *to == store.DriverPostgres {
		driver = "postgres"
	}
	fmt.Fprintf(e.stdout, "copied the %s store into the %s store; set store.driver: %s before starting serve.\n", *from, *to, driver)
	return nil
}
