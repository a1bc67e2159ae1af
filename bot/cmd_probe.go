package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

const probeHow = "Say which item, then its probe: `probe 12 tls api.example.com min_days=30`, `probe 14 http https://api.example.com/healthz max_ms=800`; `probe 12 off` takes it away, `probe list` shows them all."

// cmdProbe sets, takes away or lists the probes of the launch's items:
// probe <n> <kind> <target> [options] | probe <n> off | probe list.
func (b *Bot) cmdProbe(ctx context.Context, c *call, args []string) reply {
	if len(args) == 1 && strings.EqualFold(args[0], "list") {
		return b.listProbes(ctx, c)
	}
	if len(args) < 2 {
		return b.usage(c, "probe", probeHow)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(args[0], "#"))
	if err != nil || n <= 0 {
		return b.usage(c, "probe", probeHow)
	}
	spec := probeSpec(c.text)
	if b.probes != nil && !strings.EqualFold(spec, "off") {
		// Refused now rather than failing at every run.
		if p, err := checklist.ParseProbe(spec); err == nil {
			if err := b.probes.Allow().Host(p.Host()); err != nil {
				return b.fail(c, launch.Errorf(launch.EINVALID, "Item %d's probe cannot run: %s. Ask whoever runs golive to add it to GOLIVE_PROBE_ALLOW.", n, err))
			}
		}
	}
	l, p, err := changeWith(b, ctx, c, func(l *launch.Launch, _ time.Time) (*checklist.Probe, []launch.Event, error) {
		return l.SetProbe(c.user, n, spec)
	})
	if err != nil {
		return b.fail(c, err)
	}
	// Its runs are planned with the launch's reminders.
	b.syncReminders(c.log, l.ID)
	if p == nil {
		b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> took away the probe of item %d", c.user, n))
		return notice(fmt.Sprintf("Item %d has no probe now; it is ticked by hand or by a pipeline's report.", n))
	}
	c.log.Info("probe", "launch", l.ID, "item", n, "kind", string(p.Kind))
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> set a probe on item %d", c.user, n))
	if !b.ProbesOn() {
		return notice(fmt.Sprintf("Item %d's probe is `%s`, but probes are off on this golive: whoever runs it allows the hosts probes may reach with GOLIVE_PROBE_ALLOW. Until then the item is ticked by hand.",
			n, render.Escape(p.String())))
	}
	b.runProbesLater(l.ID, "set", n)
	return notice(fmt.Sprintf("Item %d's probe is `%s`. It runs now, then before each window's reminder, every morning of the last week and at `decide`: a pass ticks the item, a fail unticks it and tells its owner and the channel.",
		n, render.Escape(p.String())))
}

// slackLink is a link as Slack rewrites one in a command's text:
// <https://x.example.com/health> for an address typed, and
// <http://api.example.com|api.example.com> for a bare name typed.
var slackLink = regexp.MustCompile(`<(https?://[^|>]*)(?:\|([^>]*))?>`)

// curlyQuotes are the quotes a Slack client may type for straight ones.
var curlyQuotes = strings.NewReplacer("“", `"`, "”", `"`, "„", `"`)

// probeSpec takes a probe's spec from the command's text ("probe 12 tls
// ..."): what follows the item number, with Slack's links and escapes
// undone and its quotes straightened, so the spec reads as typed.
func probeSpec(text string) string {
	rest := strings.TrimSpace(text)
	for range 2 { // the subcommand, then the item number
		i := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' })
		if i < 0 {
			return ""
		}
		rest = strings.TrimSpace(rest[i:])
	}
	// What was typed: the label when Slack gave one, else the address.
	rest = slackLink.ReplaceAllStringFunc(rest, func(link string) string {
		m := slackLink.FindStringSubmatch(link)
		if m[2] != "" {
			return m[2]
		}
		return m[1]
	})
	return strings.TrimSpace(curlyQuotes.Replace(entities.Replace(launch.StripBidi(rest))))
}

// listProbes shows the probes of the channel's launch with their last
// results, to the user alone.
func (b *Bot) listProbes(ctx context.Context, c *call) reply {
	l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
	if err != nil {
		return b.fail(c, noLaunchHere(err))
	}
	items := l.Probes()
	if len(items) == 0 {
		return notice("No item of this launch has a probe. Set one with `probe 12 tls api.example.com min_days=30`, or write it on the item's line in the Markdown: `<!-- golive: tls api.example.com min_days=30 -->`.")
	}
	now := b.now()
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Probes of %s* (%d)", render.Escape(inert(l.Name)), len(items))
	if !b.ProbesOn() {
		sb.WriteString(": off on this golive (GOLIVE_PROBE_ALLOW is empty), so none runs")
	}
	for _, it := range items {
		fmt.Fprintf(&sb, "\n• %d. %s: `%s`", it.Number, render.Escape(inert(clipWord(it.Text))), render.Escape(it.Probe.String()))
		if e := it.Evidence; e != nil && e.By == launch.ProbeActor {
			fmt.Fprintf(&sb, "\n   %s %s, %s", render.ProbeMark(e), render.Escape(inert(e.Summary)), render.Age(now.Sub(e.At)))
		} else {
			sb.WriteString("\n   not run yet")
		}
	}
	return notice(sb.String())
}
