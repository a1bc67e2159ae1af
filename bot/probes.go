package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/probe"
)

// ProbesOn tells whether probes run.
func (b *Bot) ProbesOn() bool { return b.probes != nil }

// probeChunk is how many probes' results one transaction records.
const probeChunk = 50

// RunProbes runs the probes of launch id (only those of items, when
// given) and records their results as their items' evidence, in changes
// of probeChunk items: a pass ticks an item, a fail unticks it, and a change of outcome
// tells the item's owner and the channel, once. Each probe ends within the
// runner's timeout; ctx bounds the whole run, and the probes it cuts short
// are not recorded (their items keep their evidence). why says what ran
// them, for the log.
func (b *Bot) RunProbes(ctx context.Context, id int64, why string, items ...int) (launch.ProbeRun, error) {
	var run launch.ProbeRun
	if b.probes == nil {
		return run, nil
	}
	l, err := b.store.LaunchByID(ctx, id)
	if err != nil {
		return run, fmt.Errorf("probes of launch %d: %w", id, err)
	}
	if l.Archived {
		return run, nil
	}
	var jobs []probe.Job
	for _, it := range l.Probes() {
		if len(items) == 0 || containsInt(items, it.Number) {
			jobs = append(jobs, probe.Job{Item: it.Number, Probe: it.Probe})
		}
	}
	if len(jobs) == 0 {
		return run, nil
	}
	start := b.now()
	results := b.probes.RunAll(ctx, jobs)
	var found []launch.ProbeResult
	for i, j := range jobs {
		r := results[i]
		b.metrics.Probe(string(j.Probe.Kind), probeResult(r))
		if !r.Unfinished {
			found = append(found, launch.ProbeResult{Item: j.Item, Spec: j.Probe.String(), Pass: r.Pass, Summary: r.Summary, Value: r.Value, At: r.At})
		}
	}
	if len(found) == 0 {
		return run, nil
	}
	// The results are stored even when ctx ended meanwhile: the probes
	// ran. A chunk a transaction, so that ticks waiting for the single
	// writer wait for one chunk at most, not for 500 items' evidence.
	var team string // the launch's, for its refresh
	for start := 0; start < len(found); start += probeChunk {
		chunk := found[start:min(start+probeChunk, len(found))]
		var part launch.ProbeRun
		_, err = b.batch.apply(context.WithoutCancel(ctx), id, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			team = l.TeamID
			var events []launch.Event
			var err error
			part, events, err = l.RecordProbes(chunk, now)
			return events, err
		})
		if err != nil {
			return run, fmt.Errorf("record the probes of launch %d: %w", id, err)
		}
		run.Recorded, run.Passed, run.Changed = run.Recorded+part.Recorded, run.Passed+part.Passed, append(run.Changed, part.Changed...)
	}
	b.log.Info("probes", "launch", id, "why", why, "ran", len(jobs), "finished", len(found), "recorded", run.Recorded, "passed", run.Passed,
		"changed", len(run.Changed), "ms", b.now().Sub(start).Milliseconds())
	if run.Recorded > 0 {
		b.refreshLaunch(team, id, fmt.Sprintf("%d of %d probes passed", run.Passed, run.Recorded))
	}
	return run, nil
}

// runProbesLater runs the probes of items of launch id after the
// acknowledgement, tracked so that Close waits for it.
func (b *Bot) runProbesLater(id int64, why string, items ...int) {
	if b.probes == nil {
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer b.survive("probes")
		if _, err := b.RunProbes(b.background, id, why, items...); err != nil {
			b.log.Error("probes", "launch", id, "why", why, "err", err)
		}
	}()
}

// probeNotice words a probe's change of outcome for the channel and the
// item's owner.
func probeNotice(l *launch.Launch, n launch.Notice) (render.Message, error) {
	if len(n.Items) != 1 {
		return render.Message{}, fmt.Errorf("word the probe notice %q: it names %d items", n.Key, len(n.Items))
	}
	_, _, it := l.Checklist.Locate(n.Items[0])
	if it == nil || it.Evidence == nil {
		return render.Message{}, fmt.Errorf("word the probe notice %q: item %d has no probe result", n.Key, n.Items[0])
	}
	e := it.Evidence
	text := fmt.Sprintf("The probe of item %d (%s) passes again: %s. It is ticked.", it.Number, inert(it.Text), inert(e.Summary))
	if !e.Pass {
		text = fmt.Sprintf("The probe of item %d (%s) fails: %s. It is unticked until the probe passes again.", it.Number, inert(it.Text), inert(e.Summary))
	}
	return render.Notice(text), nil
}

// probeOwner is who hears of a probe's change of outcome beside the
// channel: the item's owner, else its section's; "" when nobody owns it.
func probeOwner(l *launch.Launch, n launch.Notice) string {
	if len(n.Items) != 1 {
		return ""
	}
	s, _, it := l.Checklist.Locate(n.Items[0])
	if it == nil {
		return ""
	}
	if it.Owner != "" {
		return it.Owner
	}
	return s.Owner
}

func containsInt(s []int, n int) bool {
	for _, v := range s {
		if v == n {
			return true
		}
	}
	return false
}

// probeResult names a result for the metrics.
func probeResult(r probe.Result) string {
	switch {
	case r.Unfinished:
		return "unfinished"
	case r.Pass:
		return "pass"
	}
	return "fail"
}
