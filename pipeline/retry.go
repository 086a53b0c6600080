package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/newsdigest/newsdigest/slack"
)

// Retry is how a Slack call that may succeed if sent again is retried: a
// 429 after its Retry-After, a 5xx or a network error after a backoff that
// doubles from Base with jitter, capped at MaxWait. It is the one place that
// decides when to try again; posters make one attempt.
type Retry struct {
	Max     int           // retries after the first attempt
	Base    time.Duration // first backoff
	MaxWait time.Duration // longest backoff
	// MaxRetryAfter is the longest Retry-After honoured (zero: the
	// default's): Slack asking for a longer wait ends the attempt with an
	// error, and the next run goes on.
	MaxRetryAfter time.Duration
}

// DefaultRetry is what a pipeline uses unless told otherwise.
var DefaultRetry = Retry{Max: 4, Base: time.Second, MaxWait: time.Minute, MaxRetryAfter: 15 * time.Minute}

// Do runs call until it succeeds, fails for good (an error that is not a
// retryable *slack.Error), the retries run out or ctx ends. A final error
// says how many tries it took. The pipeline's posts and the slash
// command's answers go through it.
func (r Retry) Do(ctx context.Context, logger *slog.Logger, call func(ctx context.Context) error) error {
	for n := 1; ; n++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		var se *slack.Error
		retryable := errors.As(err, &se) && se.Retry
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%w: %w", err, cerr)
		}
		if !retryable || n > r.Max {
			if n > 1 {
				return fmt.Errorf("%w [after %d tries]", err, n)
			}
			return err
		}
		wait, ceiling := se.Wait, cmp.Or(r.MaxRetryAfter, DefaultRetry.MaxRetryAfter)
		switch {
		case wait > ceiling:
			return fmt.Errorf("%w: Slack asked to wait %s (Retry-After), longer than newsdigest waits (%s); the next run goes on", err, wait, ceiling)
		case wait <= 0:
			wait = min(r.backoff(n), r.MaxWait)
		}
		logger.Warn("slack call failed; retrying", "error", err.Error(), "try", n, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w: %w", err, ctx.Err())
		case <-t.C:
		}
	}
}

// backoff is the wait before retry n (1-based): Base doubling, capped at
// MaxWait, with jitter over its upper half.
func (r Retry) backoff(n int) time.Duration {
	base := max(r.Base, time.Millisecond)
	wait := base << (n - 1)
	if wait <= 0 || wait > r.MaxWait {
		wait = r.MaxWait
	}
	return wait/2 + rand.N(wait/2+1)
}
