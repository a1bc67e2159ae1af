package schedule

import (
	"context"
	"errors"
	"fmt"
)

// Sync plans a launch's reminders again, after it was created, its date or
// time zone moved, its reminders were switched on or off, or it was
// archived: everything not yet sent follows the launch as it is now. It
// wakes Run, so that a window already due is posted at once.
func (r *Runner) Sync(ctx context.Context, launchID int64) error {
	l, err := r.store.LaunchByID(ctx, launchID)
	if err != nil {
		return fmt.Errorf("sync reminders of launch %d: %w", launchID, err)
	}
	now := r.now()
	if err := r.store.PlanReminders(ctx, launchID, Plan(l, r.tod, now), now); err != nil {
		return fmt.Errorf("sync reminders of launch %d: %w", launchID, err)
	}
	r.Poke()
	return nil
}

// SyncAll plans every active launch's reminders again. It runs at start and
// every hour, which also restarts a launch's daily digests when an item
// becomes overdue again after they had stopped.
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
	now := r.now()
	var errs []error
	for _, l := range ls {
		if err := r.store.PlanReminders(ctx, l.ID, Plan(l, r.tod, now), now); err != nil {
			errs = append(errs, fmt.Errorf("sync reminders of launch %d: %w", l.ID, err))
		}
	}
	return errors.Join(errs...)
}
