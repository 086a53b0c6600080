// Command newsdigest watches news feeds for the topics a team cares about and
// prints or posts a categorized digest. This package only parses flags and
// wires the packages that do the work; see docs/DESIGN.md for the contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses, as docs/DESIGN.md "Command line" defines them.
const (
	exitOK     = 0
	exitFailed = 1 // the job failed: store unusable, Slack refused
	exitUsage  = 2 // usage or config error
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Main runs one newsdigest command and returns its exit status. Everything
// it needs from the process comes in as arguments, so tests run it whole.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	env := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	defer startProfiles(env)()
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, env, args[1:])
	case "serve":
		err = cmdServe(ctx, env, args[1:])
	case "validate":
		err = cmdValidate(ctx, env, args[1:])
	case "explain":
		err = cmdExplain(ctx, env, args[1:])
	case "classify":
		err = cmdClassify(ctx, env, args[1:])
	case "backtest":
		err = cmdBacktest(ctx, env, args[1:])
	case "learn":
		err = cmdLearn(ctx, env, args[1:])
	case "migrate":
		err = cmdMigrate(ctx, env, args[1:])
	case "store":
		err = cmdStore(ctx, env, args[1:])
	case "version", "-version", "--version":
		err = cmdVersion(env)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "newsdigest: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return exitCode(stderr, err)
}

// env is the process's streams and environment, as Main was given them.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// usageError marks errors in how newsdigest was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// errSilent reports failure whose message was already printed.
type errSilent struct{ code int }

func (e errSilent) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var s errSilent
	if errors.As(err, &s) {
		return s.code
	}
	fmt.Fprintf(stderr, "newsdigest: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitFailed
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  newsdigest run      [-config F] [-dry-run] [-format text|markdown|json] [-since DUR] [-topic NAME]...
  newsdigest serve    [-config F]
  newsdigest validate [-config F]
  newsdigest explain  [-config F] [-json] [-title T] [-summary S] [TEXT]
  newsdigest classify [-config F] [FILE]...  JSON lines in (files, or stdin), JSON lines out
  newsdigest backtest [-config F] [-json] [-q] [-terms-only] [-topic NAME]... [-min-precision [TOPIC=]P]... [-min-recall [TOPIC=]R]... [FILE]...
                      labelled JSON lines in: per-topic precision, recall, F1 and every miss
  newsdigest learn    [-config F] [-o MODEL] FILE...   train the learned model on labelled JSON lines
  newsdigest learn    [-config F] -cross FILE...       measure it: each file scored by a model of the others
  newsdigest migrate  [-config F]     bring the store's schema up to date
  newsdigest store copy [-config F] -from sqlite -to postgres
                      copy store.path's history into store.dsn's new database
  newsdigest version

-config defaults to $NEWSDIGEST_CONFIG, then ./config.yaml.
Exit status: 0 done, 1 the job failed, 2 usage or config error.
`)
}
