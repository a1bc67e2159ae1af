package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
)

const freshHow = "Say which item (by number) or section, and how recent its verification must be: `fresh 12 24h`, `fresh Security 7d`; `off` for any age."

// cmdFresh requires an item's (or a section's items') verification to be
// recent: fresh <n|section> <90m|24h|7d|off>. A done item verified longer
// ago counts as open for its gates until ticked again or reported again
// by a pipeline.
func (b *Bot) cmdFresh(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "fresh", freshHow)
	}
	d, err := launch.ReadFresh(args[len(args)-1])
	if err != nil {
		return b.fail(c, err)
	}
	ref := strings.Join(args[:len(args)-1], " ")
	l, changed, err := changeWith(b, ctx, c, func(l *launch.Launch, _ time.Time) ([]int, []launch.Event, error) {
		return l.SetFresh(c.user, ref, d)
	})
	if err != nil {
		return b.fail(c, err)
	}
	what := fmt.Sprintf("must have been verified within %s for its gates to count it done", launch.FreshText(d))
	if d == 0 {
		what = "counts for its gates whatever the age of its verification"
	}
	if len(changed) == 0 {
		return notice(fmt.Sprintf("Already so: each of those items %s; nothing changed.", what))
	}
	c.log.Info("fresh", "launch", l.ID, "items", len(changed), "seconds", int(d.Seconds()))
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> set how fresh %s must be", c.user, itemList(changed)))
	return notice(fmt.Sprintf("From now on, %s %s. A pipeline's passing report (`golive report`), a passing probe, or ticking it again verifies it anew; on launch day the morning reminder lists what needs it.",
		itemList(changed), what))
}
