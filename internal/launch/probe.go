package launch

import (
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// ProbeActor is the actor of what a probe's results do to a launch (its
// evidence, the ticks and unticks it makes), in the audit and the evidence.
const ProbeActor = "probe"

// SetProbe gives item n the probe spec says (checklist.ParseProbe), or
// takes its probe away when spec is "off". The section's owner or the
// launch's creator may: a probe ticks and unticks the item by itself.
// It returns the probe set, nil when taken away.
func (l *Launch) SetProbe(user string, n int, spec string) (*checklist.Probe, []Event, error) {
	if l.Archived {
		return nil, nil, Errorf(ECONFLICT, "The launch “%s” is archived; its probes no longer run.", l.Name)
	}
	s, _, it := l.Checklist.Locate(n)
	if it == nil {
		return nil, nil, l.removedOrNoItem(n)
	}
	if err := l.CanEdit(user, s, "set probes"); err != nil {
		return nil, nil, err
	}
	var p *checklist.Probe
	if !strings.EqualFold(strings.TrimSpace(spec), "off") {
		var err error
		if p, err = checklist.ParseProbe(spec); err != nil {
			return nil, nil, Errorf(EINVALID, "Item %d's probe: %s.", n, err)
		}
	}
	before, after := probeText(it.Probe), probeText(p)
	if before == after {
		return p, nil, nil
	}
	it.Probe = p
	return p, []Event{{Actor: user, Kind: KindProbe, Items: []int{n}, Before: before, After: after}}, nil
}

func probeText(p *checklist.Probe) string {
	if p == nil {
		return "none"
	}
	return p.String()
}

// Probes returns the launch's items that have a probe, in checklist order:
// what a run of its probes checks.
func (l *Launch) Probes() []*checklist.Item {
	var out []*checklist.Item
	for _, it := range l.Checklist.Items() {
		if it.Probe != nil {
			out = append(out, it)
		}
	}
	return out
}

// ProbeResult is what one run of an item's probe found.
type ProbeResult struct {
	Item int
	// Spec is the probe that ran (Probe.String): a result of a probe
	// changed or taken away since is dropped.
	Spec    string
	Pass    bool
	Summary string // what it found: "HTTP 200 in 142 ms"
	Value   string // the value it measured: "142ms"
	At      time.Time
}

// ProbeRun is what RecordProbes did with a run's results.
type ProbeRun struct {
	// Recorded counts the results stored as evidence, Passed those that
	// passed.
	Recorded, Passed int
	// Changed are the items whose probe's outcome changed: to a fail from
	// a pass or from no result, to a pass from a fail. Each one's owner and
	// the channel are told (NoticeProbe), once per change.
	Changed []int
}

// RecordProbes stores the results of a run of the launch's probes as their
// items' evidence, by ProbeActor, as a pipeline's report would be: a pass
// ticks the item, a fail unticks it (voiding its section's sign-off). A
// change of a probe's outcome is told (NoticeProbe); the same outcome
// again is stored silently, so a failing probe tells once, not at every
// run. The run leaves one audit event, plus one per changed outcome and
// per tick or untick.
func (l *Launch) RecordProbes(results []ProbeResult, now time.Time) (ProbeRun, []Event, error) {
	var run ProbeRun
	if l.Archived {
		return run, nil, nil
	}
	var events []Event
	var items []int
	for _, r := range results {
		_, _, it := l.Checklist.Locate(r.Item)
		if it == nil || it.Probe == nil || it.Probe.String() != r.Spec {
			continue
		}
		ev, err := checkReport(Report{Pass: r.Pass, Summary: r.Summary, At: r.At}, now)
		if err != nil {
			return run, nil, fmt.Errorf("probe of item %d: %w", r.Item, err)
		}
		ev.Value, ev.By, ev.Received = r.Value, ProbeActor, now
		prev := it.Evidence
		it.Evidence = ev
		run.Recorded++
		if r.Pass {
			run.Passed++
		}
		items = append(items, r.Item)
		if changed := prev == nil || prev.By != ProbeActor || prev.Pass != r.Pass; changed {
			events = append(events, Event{Actor: ProbeActor, Kind: KindEvidence, Items: []int{r.Item}, After: ev.Status() + ": " + ev.Summary})
			// A first pass ticks quietly; a fail, or a pass after one, is news.
			if !r.Pass || (prev != nil && prev.By == ProbeActor) {
				run.Changed = append(run.Changed, r.Item)
				l.notify(Notice{Kind: NoticeProbe, Actor: ProbeActor, Items: []int{r.Item}, After: ev.Status()})
			}
		}
		events = append(events, l.markDone(ProbeActor, r.Item, r.Pass, now)...)
	}
	if run.Recorded == 0 {
		return run, nil, nil
	}
	l.notifyVoided(ProbeActor, events)
	run0 := Event{Actor: ProbeActor, Kind: KindProbeRun, Items: items,
		After: fmt.Sprintf("%d of %d passed", run.Passed, run.Recorded)}
	return run, append([]Event{run0}, events...), nil
}
