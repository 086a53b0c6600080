package main

import (
	"context"
	"fmt"
	"net"

	"github.com/newsdigest/newsdigest/serve"
)

// cmdServe runs the poll and digest schedules and the HTTP API until ctx is
// cancelled (SIGINT/SIGTERM), then stops cleanly: exit 0.
func cmdServe(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, p, logger, closeStore, err := openPipeline(ctx, e, *cfgPath, true, "serve")
	if err != nil {
		return err
	}
	defer closeStore()
	srv, err := serve.New(cfg, p, logger)
	if err != nil {
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", cfg.Serve.Listen)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Serve.Listen, err)
	}
	return srv.Run(ctx, ln)
}
