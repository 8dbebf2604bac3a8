package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/privatebedrock/stack/internal/checklist"
)

// concurrently runs the checks at once and returns their rows in the order the checks were given, so
// the output does not depend on which finished first.
func concurrently(checks ...func() []checklist.Row) []checklist.Row {
	rows := make([][]checklist.Row, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		wg.Go(func() { rows[i] = check() })
	}
	wg.Wait()
	return slices.Concat(rows...)
}

// waiter polls until a check finds what it waits for, asking every interval for at most timeout. Time
// passes only in sleep, so tests run it without waiting.
type waiter struct {
	timeout, interval time.Duration
	sleep             func(context.Context, time.Duration) error
}

// poll calls try until it is done or fails, or timeout has passed in sleeps; try gets the time waited
// so far. found is false when the time ran out.
func (w waiter) poll(ctx context.Context, try func(waited time.Duration) (done bool, err error)) (found bool, err error) {
	for waited := time.Duration(0); ; waited += w.interval {
		if done, err := try(waited); done || err != nil {
			return done, err
		}
		if waited+w.interval > w.timeout {
			return false, nil
		}
		if err := w.sleep(ctx, w.interval); err != nil {
			return false, err
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d): // an unstopped timer is collected since Go 1.23
		return nil
	}
}
