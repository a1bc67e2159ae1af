package delivery

import (
	"context"
	"errors"
	"fmt"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// Sync plans a launch's reminders again, after it was created, its date or
// time zone moved, its reminders were switched on or off, its roles or
// approval requests changed, or it was archived: everything not yet sent
// follows the launch as it is now. It wakes Run, so that a window already
// due is posted at once.
func (d *Delivery) Sync(ctx context.Context, launchID int64) error {
	l, err := d.store.LaunchByID(ctx, launchID)
	if err != nil {
		return fmt.Errorf("sync reminders of launch %d: %w", launchID, err)
	}
	if err := d.plan(ctx, l); err != nil {
		return fmt.Errorf("sync reminders of launch %d: %w", launchID, err)
	}
	d.Poke()
	return nil
}

// plan stores the launch's plan as it stands now.
func (d *Delivery) plan(ctx context.Context, l *launch.Launch) error {
	var asks schedule.Asks
	if !l.Archived {
		var err error
		if asks, err = d.store.ApprovalDMs(ctx, l.ID); err != nil {
			return fmt.Errorf("read approval DMs: %w", err)
		}
	}
	now := d.now()
	return d.store.PlanReminders(ctx, l.ID, schedule.Plan(l, asks, d.tod, now), now)
}

// SyncAll plans every active launch's reminders again. It runs at start and
// every hour, which also restarts a launch's daily digests when an item
// becomes overdue again, or a role holder owes an answer again, after they
// had stopped.
func (d *Delivery) SyncAll(ctx context.Context) error {
	err := d.syncAll(ctx)
	d.Poke()
	return err
}

// syncAll is SyncAll without waking Run, for Run's own start.
func (d *Delivery) syncAll(ctx context.Context) error {
	ls, err := d.store.ActiveLaunches(ctx)
	if err != nil {
		return fmt.Errorf("sync reminders: %w", err)
	}
	var errs []error
	for _, l := range ls {
		if err := d.plan(ctx, l); err != nil {
			errs = append(errs, fmt.Errorf("sync reminders of launch %d: %w", l.ID, err))
		}
	}
	return errors.Join(errs...)
}
