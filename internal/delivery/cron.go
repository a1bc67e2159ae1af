package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// syncTimeout bounds one hourly SyncAll.
const syncTimeout = time.Minute

// Cron returns a cron scheduler that runs SyncAll every hour on the hour
// (UTC, which has no daylight saving to skip or repeat an hour), with panics
// recovered and logged; the caller starts and stops it. Cron only triggers
// the step: it reads the real clock and keeps nothing across restarts, so
// what is due is decided by Plan and Decide with delivery's clock, and
// delivered from the reminders table by Run.
//
// Each sync runs under ctx: cancelling it at shutdown cuts a sync in
// progress short, so that waiting on the scheduler's Stop returns before
// the store is closed under it.
func (d *Delivery) Cron(ctx context.Context) (*cron.Cron, error) {
	logger := cronLogger{d.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger), cron.WithChain(cron.Recover(logger)))
	if _, err := c.AddFunc("@hourly", func() {
		if ctx.Err() != nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, syncTimeout)
		defer cancel()
		err := d.SyncAll(ctx)
		switch {
		case err != nil && ctx.Err() == context.Canceled:
			d.log.Info("reminders: hourly sync cut short by the shutdown; the next start plans every launch again")
		case err != nil:
			d.log.Error("reminders: hourly sync", "err", err)
		}
	}); err != nil {
		return nil, fmt.Errorf("schedule the hourly sync: %w", err)
	}
	return c, nil
}

// cronLogger lets cron log through slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
