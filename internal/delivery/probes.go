package delivery

import (
	"context"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// Prober runs a launch's probes and records what they found (the bot, as
// the probes' results change the launch and tell the channel as changes
// do). Each probe ends within its own timeout; ctx bounds the run.
type Prober interface {
	RunProbes(ctx context.Context, launchID int64, why string, items ...int) (launch.ProbeRun, error)
}

// probe runs the launch's probes for a due run (schedule.KindProbe),
// within the call timeout, and finishes the run: sent once they ran,
// released to be tried again when they could not be recorded.
func (d *Delivery) probe(ctx context.Context, rem schedule.Reminder) {
	if d.prober == nil {
		d.finish(ctx, rem, ReminderFinish{State: schedule.StateSkipped, At: d.now(), Note: "probes are off (GOLIVE_PROBE_ALLOW is empty)"})
		return
	}
	pctx, cancel := context.WithTimeout(ctx, d.callTimeout)
	run, err := d.prober.RunProbes(pctx, rem.LaunchID, "scheduled "+rem.Key)
	cancel()
	if err != nil {
		rem.Attempts++
		at := d.now()
		d.log.Warn("probes: cannot record", "reminder", rem.String(), "attempt", rem.Attempts, "err", err)
		d.release(ctx, rem, ReminderRelease{At: at, RetryAt: at.Add(retryDelay(rem.Attempts)), Error: err.Error()})
		return
	}
	d.finish(ctx, rem, ReminderFinish{State: schedule.StateSent, At: d.now()})
	d.log.Info("probes: ran", "reminder", rem.String(), "recorded", run.Recorded, "passed", run.Passed, "changed", len(run.Changed))
}
