package schedule

import (
	"fmt"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// CountdownLine sums up where the launch stands at now, as the reminders
// say it: "Launch in 3 days: readiness 87.4%, 1 gate failing, 2 approvals
// pending", or "no items counted" in place of the readiness. A role nobody
// holds counts as pending (launch.Decide).
func CountdownLine(l *launch.Launch, now time.Time) string {
	rep := l.Decide(now)
	failing, pending := 0, 0
	for _, g := range rep.Gates {
		if !g.Passed {
			failing++
		}
	}
	for _, r := range rep.Roles {
		if r.Verdict == checklist.VerdictPending || r.Verdict == "" {
			pending++
		}
	}
	readiness := "readiness " + rep.Readiness.PercentText()
	if rep.Readiness.Empty() {
		readiness = checklist.NoItems
	}
	return fmt.Sprintf("%s: %s, %s failing, %s pending", l.Countdown(now),
		readiness, count(failing, "gate"), count(pending, "approval"))
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
