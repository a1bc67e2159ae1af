package render

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/slack-go/slack"
)

const (
	// homeLaunches is how many launches the Home tab lists in full; with at
	// most four blocks each they stay under the 100-block limit.
	homeLaunches = 20
	// homeItems is how many open items it lists per launch.
	homeItems = 10
)

// Asked tells whether the holder of a launch's role was sent the approval
// request by DM.
type Asked func(launchID int64, role string) bool

// Home renders a user's App Home: the launches they take part in (as
// creator, owner of a section or an item, role holder, or someone who ticked
// an item), their open items there, and the approvals waiting for them,
// with where to answer (asked may be nil: none asked yet); or how to start
// when there are none. Archived launches are left out.
func Home(user string, ls []*launch.Launch, asked Asked, now time.Time) slack.HomeTabViewRequest {
	var mine []*launch.Launch
	for _, l := range ls {
		if l != nil && l.Checklist != nil && !l.Archived && takesPart(user, l) {
			mine = append(mine, l)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		if mine[i].Date != mine[j].Date {
			return mine[i].Date < mine[j].Date
		}
		return mine[i].Name < mine[j].Name
	})
	blocks := []slack.Block{header("Your launches")}
	if len(mine) == 0 {
		blocks = append(blocks,
			section("You take part in no launch yet. A launch lives in a Slack channel: its checklist, who owns what, the approvals and the GO / NO-GO decision."),
			section("*To start one*, in the launch's channel type:\n• `/golive new \"Checkout v2\" 2026-12-01` to start from the built-in checklist (`/golive templates` lists them), or\n• `/golive import` to paste your own Markdown checklist.\n`/golive help` lists every command."),
			contextBlock("Launches you create, own a section or an item of, hold an approver role in, or tick items of show up here."))
		return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	}
	for i, l := range mine {
		if i == homeLaunches {
			blocks = append(blocks, contextBlock(fmt.Sprintf("… and %d more launches.", len(mine)-homeLaunches)))
			break
		}
		blocks = append(blocks, homeLaunch(user, l, asked, now)...)
		blocks = append(blocks, slack.NewDividerBlock())
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// takesPart tells whether user created the launch, owns a section, group or
// item of it, holds one of its roles, or ticked one of its items.
func takesPart(user string, l *launch.Launch) bool {
	if user == "" {
		return false
	}
	if l.Creator == user {
		return true
	}
	for _, s := range l.Checklist.Sections {
		if s.Owner == user {
			return true
		}
		for _, g := range s.Groups {
			if g.Owner == user {
				return true
			}
			for _, it := range g.Items {
				if it.Owner == user || it.DoneBy == user {
					return true
				}
			}
		}
	}
	for _, r := range l.Checklist.Roles {
		if r.Holder == user {
			return true
		}
	}
	return false
}

func homeLaunch(user string, l *launch.Launch, asked Asked, now time.Time) []slack.Block {
	rep := l.Decide(now)
	ready := rep.Readiness.PercentText() + " ready"
	if rep.Readiness.Empty() {
		ready = checklist.NoItems
	}
	summary := fmt.Sprintf("*%s* in %s · launch %s (%s)\n`%s` %s · %s %s",
		Escape(brief(l.Name, 150)), channelRef(l.ChannelID), Escape(l.When()), strings.ToLower(l.Countdown(now)),
		Bar(rep.Readiness.Percent()), ready,
		outcomeIcon(rep.Decision.Outcome), rep.OutcomeText())
	if roles := roleNames(user, l); len(roles) > 0 {
		summary += "\nYou: " + strings.Join(roles, ", ")
	}
	blocks := []slack.Block{section(summary)}

	open := openItems(user, l)
	if len(open) > 0 {
		lines := []string{fmt.Sprintf("*Your open items* (%d)", len(open))}
		for i, it := range open {
			if i == homeItems {
				lines = append(lines, fmt.Sprintf("_… and %d more: `/golive checklist` in %s shows them._", len(open)-homeItems, channelRef(l.ChannelID)))
				break
			}
			lines = append(lines, fmt.Sprintf("• %d. %s", it.Number, Escape(brief(it.Text, 150))))
		}
		blocks = append(blocks, section(strings.Join(lines, "\n")))
	}

	var waiting []string
	for _, r := range l.Checklist.Roles {
		if r.Holder != user || (r.Verdict != checklist.VerdictPending && r.Verdict != "") {
			continue
		}
		role := "⏳ Your approval as *" + Escape(brief(r.Name, 100)) + "* is waiting"
		if asked != nil && asked(l.ID, r.Name) {
			waiting = append(waiting, role+": answer in the DM golive sent you.")
		} else {
			waiting = append(waiting, role+": golive asks for it by DM when someone runs `/golive approvals` in "+channelRef(l.ChannelID)+".")
		}
	}
	if len(waiting) > 0 {
		blocks = append(blocks, section(strings.Join(waiting, "\n")))
	}
	return blocks
}

// roleNames says how user takes part: creator, section owner, role holder.
func roleNames(user string, l *launch.Launch) []string {
	var out []string
	if l.Creator == user {
		out = append(out, "creator")
	}
	for _, s := range l.Checklist.Sections {
		if s.Owner == user {
			out = append(out, "owner of "+Escape(brief(s.Title, 60)))
		}
	}
	for _, r := range l.Checklist.Roles {
		if r.Holder == user {
			out = append(out, Escape(brief(r.Name, 60)))
		}
	}
	if len(out) > 12 {
		out = append(out[:12], "…")
	}
	return out
}

// openItems are the items left for user: those they own, and the unowned
// items of the groups and sections they own.
func openItems(user string, l *launch.Launch) []*checklist.Item {
	var out []*checklist.Item
	for _, s := range l.Checklist.Sections {
		for _, g := range s.Groups {
			for _, it := range g.Items {
				if it.Done {
					continue
				}
				if it.Owner == user || (it.Owner == "" && (g.Owner == user || s.Owner == user)) {
					out = append(out, it)
				}
			}
		}
	}
	return out
}
