package schedule

import (
	"context"
	"errors"
	"fmt"

	"github.com/golive/golive/internal/launch"
)

// Sync plans a launch's reminders again, after it was created, its date or
// time zone moved, its reminders were switched on or off, its roles or
// approval requests changed, or it was archived: everything not yet sent
// follows the launch as it is now. It wakes Run, so that a window already
// due is posted at once.
func (r *Runner) Sync(ctx context.Context, launchID int64) error {
	l, err := r.store.LaunchByID(ctx, launchID)
	if err != nil {
		return fmt.Errorf("sync reminders of launch %d: %w", launchID, err)
	}
	if err := r.plan(ctx, l); err != nil {
		return fmt.Errorf("sync reminders of launch %d: %w", launchID, err)
	}
	r.Poke()
	return nil
}

// plan stores the launch's plan as it stands now.
func (r *Runner) plan(ctx context.Context, l *launch.Launch) error {
	var asks Asks
	if !l.Archived {
		var err error
		if asks, err = r.store.ApprovalDMs(ctx, l.ID); err != nil {
			return fmt.Errorf("read approval DMs: %w", err)
		}
	}
	now := r.now()
	return r.store.PlanReminders(ctx, l.ID, Plan(l, asks, r.tod, now), now)
}

// SyncAll plans every active launch's reminders again. It runs at start and
// every hour, which also restarts a launch's daily digests when an item
// becomes overdue again, or a role holder owes an answer again, after they
// had stopped.
func (r *Runner) SyncAll(ctx context.Context) error {
	err := r.syncAll(ctx)
	r.Poke()
	return err
}

// syncAll is SyncAll without waking Run, for Run's own start.
func (r *Runner) syncAll(ctx context.Context) error {
	ls, err := r.store.ActiveLaunches(ctx)
	if err != nil {
		return fmt.Errorf("sync reminders: %w", err)
	}
	var errs []error
	for _, l := range ls {
		if err := r.plan(ctx, l); err != nil {
			errs = append(errs, fmt.Errorf("sync reminders of launch %d: %w", l.ID, err))
		}
	}
	return errors.Join(errs...)
}
