package schedule

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
// what is due is decided by Plan and Decide with the runner's clock, and
// delivered from the reminders table by Run.
func (r *Runner) Cron() (*cron.Cron, error) {
	logger := cronLogger{r.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger), cron.WithChain(cron.Recover(logger)))
	if _, err := c.AddFunc("@hourly", func() {
		ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
		defer cancel()
		if err := r.SyncAll(ctx); err != nil {
			r.log.Error("reminders: hourly sync", "err", err)
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
