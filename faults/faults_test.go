//go:build faults

package faults

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

// Golive's time at the start of a run: a Monday, before the reminder time.
var (
	weekStart  = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	launchDate = "2027-03-08"
)

// Rates of golive's clock. weekRate takes a launch's last week (and the
// day after) in about 20 s; at downRate a minute of golive's time lasts
// 10 s, and the reminder of 09:00 comes due while Slack is away.
const (
	weekRate = 35000
	downRate = 6
)

// envInt reads a whole number from the environment, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestKills runs whole launches, import to the day after the launch, each
// with servers killed with SIGKILL at three points its seed picks, and
// started again on the same database. GOLIVE_FAULTS_RUNS sets the number
// of runs (50), GOLIVE_FAULTS_SEED other seeds; half look posts up in
// Slack's history, half do not.
func TestKills(t *testing.T) {
	runs := envInt("GOLIVE_FAULTS_RUNS", 50)
	for i := range runs {
		seed := seedBase() + 1000 + uint64(i)
		history := i%2 == 1
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Parallel()
			runScenario(t, scenario{
				mode: "kill -9, history " + onOff(history), seed: seed, instances: 1, history: history,
				rate: weekRate, start: weekStart, launchDate: launchDate, until: 8 * 24 * time.Hour,
				kills: 3, restart: true,
			})
		})
	}
}

// TestSlackFailures runs launches while Slack fails, with history on and
// off: through the whole week, the first call of each post golive owes is
// posted and answered 500, posted and answered too late, or answered 429;
// or, for a minute of golive's time (10 s), Slack refuses every
// connection while the approval DMs are due.
func TestSlackFailures(t *testing.T) {
	for i, fault := range []Fault{AcceptThen500, AcceptThenHang, RateLimited, Down} {
		for _, history := range []bool{false, true} {
			seed := seedBase() + 2000 + uint64(2*i)
			if history {
				seed++
			}
			sc := scenario{
				mode: string(fault) + ", history " + onOff(history), seed: seed, instances: 1, history: history,
				rate: weekRate, start: weekStart, launchDate: launchDate, until: 8 * 24 * time.Hour, fault: fault,
			}
			if fault == Down {
				sc.rate, sc.start, sc.until = downRate, time.Date(2027, 3, 1, 8, 59, 30, 0, time.UTC), 5*time.Minute
				sc.downFor = time.Minute
			}
			t.Run(fmt.Sprintf("%s/history-%s", fault, onOff(history)), func(t *testing.T) {
				t.Parallel()
				runScenario(t, sc)
			})
		}
	}
}

// TestInstances runs a launch on two and three servers sharing one
// database, the client spreading requests across them, one of them killed
// for good mid-run.
func TestInstances(t *testing.T) {
	for _, n := range []int{2, 3} {
		for _, history := range []bool{false, true} {
			seed := seedBase() + 3000 + uint64(10*n)
			if history {
				seed++
			}
			t.Run(fmt.Sprintf("%d/history-%s", n, onOff(history)), func(t *testing.T) {
				t.Parallel()
				runScenario(t, scenario{
					mode: fmt.Sprintf("%d instances, one killed, history %s", n, onOff(history)), seed: seed, instances: n,
					history: history, rate: weekRate, start: weekStart, launchDate: launchDate, until: 8 * 24 * time.Hour,
					kills: 1,
				})
			})
		}
	}
}

// TestPausedSender runs a launch on two servers, with history on and off,
// stopping a server with SIGSTOP just after its claim of a DM was checked
// and before it posts, for longer than its lease, and resuming it once the
// other server took the DM over (see Paused). With history on, the other
// server finds the DM missing and sends it, and the resumed one, past its
// send's deadline, does not: posted once. With history off, the other
// server leaves it unknown, never sending it, and the resumed one posts
// it: posted at most once.
func TestPausedSender(t *testing.T) {
	for _, history := range []bool{false, true} {
		seed := seedBase() + 4000
		if history {
			seed++
		}
		t.Run("history-"+onOff(history), func(t *testing.T) {
			t.Parallel()
			runScenario(t, scenario{
				mode: "SIGSTOP past the lease, history " + onOff(history), seed: seed, instances: 2, history: history,
				rate: weekRate, start: weekStart, launchDate: launchDate, until: 8 * 24 * time.Hour, fault: Paused,
			})
		})
	}
}

// seedBase shifts every run's seed by GOLIVE_FAULTS_SEED (0), to try other
// kill points locally; a failing run's log names its seed.
func seedBase() uint64 {
	return uint64(envInt("GOLIVE_FAULTS_SEED", 0)) * 10000
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// summary sums the runs' tallies by mode, for the table TestMain prints.
var summary = struct {
	sync.Mutex
	modes map[string]*tally
}{modes: map[string]*tally{}}

func record(mode string, t tally) {
	summary.Lock()
	defer summary.Unlock()
	if summary.modes[mode] == nil {
		summary.modes[mode] = &tally{}
	}
	summary.modes[mode].add(t)
}

// printSummary writes the table of every mode run.
func printSummary(out io.Writer) {
	summary.Lock()
	defer summary.Unlock()
	if len(summary.modes) == 0 {
		return
	}
	modes := make([]string, 0, len(summary.modes))
	for m := range summary.modes {
		modes = append(modes, m)
	}
	sort.Strings(modes)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "mode\truns\tkills\tSlack faults\tposts owed\tretried\tseen\tduplicated\tlost\tunowed\tunknown (seen)\treminders skipped\tchanges acked\taudit missing\taudit extra\t")
	var total tally
	for _, m := range modes {
		writeRow(w, m, *summary.modes[m])
		total.add(*summary.modes[m])
	}
	writeRow(w, "total", total)
	w.Flush()
}

func writeRow(w io.Writer, mode string, t tally) {
	fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d (%d)\t%d\t%d\t%d\t%d\t\n", mode, t.runs, t.kills, t.faults,
		t.expected, t.retried, t.seen, t.duplicated, t.lost, t.unexpected, t.unknown, t.unknownSeen, t.skipped, t.acked, t.auditMissing, t.auditExtra)
}
