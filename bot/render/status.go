package render

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
	"github.com/slack-go/slack"
)

// Block budgets of the status message's lists; with the fixed blocks they
// stay well under Slack's 50.
const (
	statusSectionBlocks  = 10
	statusGateBlocks     = 8
	statusRoleBlocks     = 8
	statusDecisionBlocks = 8
)

// Status renders the readiness summary: days to launch, overall readiness,
// each readiness section with a progress bar, the gates with value and
// threshold, the roles and their verdicts, the current decision with its
// reasons (launch.Decide: a role nobody holds is never approved), and the
// items overdue (schedule.Overdue, windows opening at tod). now is the
// instant the summary is for.
func Status(l *launch.Launch, tod schedule.TimeOfDay, now time.Time) Message {
	rep := l.Decide(now)
	name := clip(l.Name, 140)
	blocks := []slack.Block{
		header("Launch: " + name),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			field("*Launch date*\n" + Escape(l.When()) + " (" + Escape(l.Timezone) + ")\n" + l.Countdown(now)),
			field("*Readiness*\n" + readinessDetail(rep)),
			field("*Decision*\n" + outcomeIcon(rep.Decision.Outcome) + " " + rep.OutcomeText()),
			field("*Gates*\n" + gateTally(rep.Gates)),
		}, nil),
		slack.NewDividerBlock(),
	}
	blocks = append(blocks, sectionLines(rep)...)
	if other := otherSections(rep); other != "" {
		blocks = append(blocks, contextBlock(clip(other, maxSectionText)))
	}
	blocks = append(blocks, lineBlocks(gateLines(rep.Gates), statusGateBlocks, moreLine("gates"))...)
	blocks = append(blocks, lineBlocks(roleLines(l, rep.Roles), statusRoleBlocks, moreLine("roles"))...)
	blocks = append(blocks, lineBlocks(decisionLines(rep.Decision), statusDecisionBlocks, moreLine("reasons"))...)
	blocks = append(blocks, lineBlocks(waiverLines(rep), waiverBlocks, moreLine("waivers"))...)
	blocks = append(blocks, lineBlocks(probeLines(l, now), probeBlocks, moreLine("failing probes"))...)
	blocks = append(blocks, lineBlocks(evidenceLines(l), evidenceBlocks, moreLine("items with evidence"))...)
	blocks = append(blocks, lineBlocks(staleLines(l, rep), freshBlocks, moreLine("stale items"))...)
	overdue := schedule.Overdue(l, tod, now)
	if len(overdue) > 0 {
		blocks = append(blocks, section(overdueSummary(l, tod, overdue)))
	}
	blocks = append(blocks, contextBlock(statusFooter(l, rep)))
	text := fmt.Sprintf("Launch %s: readiness %s, %s", name, rep.Readiness.PercentText(), rep.OutcomeText())
	if len(overdue) > 0 {
		text += fmt.Sprintf(", %d overdue", len(overdue))
	}
	return Message{
		Text:   clip(Escape(text), maxMessageText),
		Blocks: blocks,
	}
}

// statusOverdueShown is how many overdue items status lists by name.
const statusOverdueShown = 5

// overdueSummary flags the open items past their due date or window: how
// many, and the first few with their owner and what they were due by.
func overdueSummary(l *launch.Launch, tod schedule.TimeOfDay, items []*checklist.Item) string {
	lines := []string{fmt.Sprintf("⚠️ *Overdue: %s*", plural(len(items), "open item"))}
	for i, t := range schedule.OverdueTasks(l, tod, items) {
		if i == statusOverdueShown {
			lines = append(lines, fmt.Sprintf("_… and %d more (see `export`)_", len(items)-i))
			break
		}
		lines = append(lines, overdueLine(t, true, true))
	}
	return clip(strings.Join(lines, "\n"), maxSectionText)
}

// readinessDetail is the readiness with its bar and count: "78/199 items
// done", or "no items counted", and what it counts when that is the time
// windows due by launch.
func readinessDetail(rep checklist.Report) string {
	c := rep.Readiness
	s := "`" + Bar(c.Percent()) + "` " + checklist.NoItems
	if !c.Empty() {
		s = "`" + Bar(c.Percent()) + "` " + c.PercentText() + fmt.Sprintf("\n%d/%d items done", c.Done, c.Total)
	}
	return s + dueWindows(rep)
}

// Bar draws a ten-cell progress bar for a percentage: "▓▓▓▓░░░░░░". It shows
// full only at 100%, and never empty once something is done.
func Bar(percent float64) string {
	filled := int(math.Round(percent / 10))
	switch {
	case percent >= 100:
		filled = 10
	case filled >= 10:
		filled = 9
	case filled <= 0 && percent > 0:
		filled = 1
	case filled < 0:
		filled = 0
	}
	return strings.Repeat("▓", filled) + strings.Repeat("░", 10-filled)
}

func outcomeIcon(o checklist.Outcome) string {
	switch o {
	case checklist.OutcomeGo:
		return "🟢"
	case checklist.OutcomeConditional:
		return "🟡"
	case checklist.OutcomeNoGo:
		return "🔴"
	default:
		return "⏳"
	}
}

func gateTally(gates []checklist.GateResult) string {
	if len(gates) == 0 {
		return "none stated"
	}
	passing := 0
	for _, g := range gates {
		if g.Passed {
			passing++
		}
	}
	return fmt.Sprintf("%d of %d passing", passing, len(gates))
}

func moreLine(what string) func(int) string {
	return func(n int) string { return fmt.Sprintf("_… and %d more %s (see `export`)_", n, what) }
}

func sectionLines(rep checklist.Report) []slack.Block {
	lines := []string{"*Readiness by section*"}
	for _, s := range rep.Sections {
		c := s.Counted
		if c.Empty() {
			continue
		}
		lines = append(lines, fmt.Sprintf("`%s` %s  %s  %d/%d", Bar(c.Percent()),
			c.PercentText(), Escape(brief(s.Title, 80)), c.Done, c.Total))
	}
	if len(lines) == 1 {
		why := "No section counts towards readiness yet"
		if r := rep.NothingCounted(); r != "" {
			why = strings.ToUpper(r[:1]) + r[1:]
		}
		lines = append(lines, "_"+Escape(why)+"._")
	}
	return lineBlocks(lines, statusSectionBlocks, moreLine("sections"))
}

// otherSections lists the sections that do not count towards readiness.
func otherSections(rep checklist.Report) string {
	var parts []string
	for _, s := range rep.Sections {
		// A section of time windows may count in part: the rest is listed here.
		rest := checklist.Count{Done: s.Count.Done - s.Counted.Done, Total: s.Count.Total - s.Counted.Total}
		if rest.Empty() {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d", Escape(brief(s.Title, 60)), rest.Done, rest.Total))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Not counted in readiness: " + strings.Join(parts, " · ")
}

func gateLines(gates []checklist.GateResult) []string {
	lines := []string{"*Gates*"}
	if len(gates) == 0 {
		return append(lines, "_The checklist states no gates._")
	}
	for _, g := range gates {
		icon := "❌"
		state := "failing"
		if g.Passed {
			icon, state = "✅", "passing"
		}
		value := g.Count.String()
		if g.Unresolved {
			value = "not found in the checklist"
		}
		lines = append(lines, fmt.Sprintf("%s *%s*: %s, needs %s, %s", icon, Escape(brief(g.Name, 150)),
			value, Escape(g.Rule()), state))
	}
	return lines
}

func roleLines(l *launch.Launch, roles []checklist.Role) []string {
	lines := []string{"*Approvals*"}
	if len(roles) == 0 {
		return append(lines, "_No approver roles yet: add one with `role add \"Security Lead\"`._")
	}
	for _, r := range roles {
		lines = append(lines, "• "+roleLine(l, r))
	}
	return lines
}

// roleLine is "*Security Lead*: @dana · approved on 2026-11-30", with the
// conditions or the reason of the verdict.
func roleLine(l *launch.Launch, r checklist.Role) string {
	holder := "_nobody yet_"
	if r.Holder != "" {
		holder = mention(r.Holder)
	}
	verdict := string(r.Verdict)
	if verdict == "" {
		verdict = string(checklist.VerdictPending)
	}
	line := "*" + Escape(brief(r.Name, 100)) + "*: " + holder + " · " + verdictIcon(r.Verdict) + " " + verdict
	if r.By != "" && r.By != r.Holder {
		line += " by " + mention(clip(r.By, 80))
	}
	if !r.At.IsZero() {
		line += " on " + r.At.In(l.Location()).Format(launch.DateLayout)
	}
	if r.Note != "" {
		line += ": _" + Escape(brief(r.Note, 500)) + "_"
	}
	return line
}

func verdictIcon(v checklist.Verdict) string {
	switch v {
	case checklist.VerdictApproved:
		return "✅"
	case checklist.VerdictConditional:
		return "🟡"
	case checklist.VerdictRejected:
		return "❌"
	default:
		return "⏳"
	}
}

func decisionLines(d checklist.Decision) []string {
	lines := []string{"*Decision: " + string(d.Outcome) + "*"}
	for _, r := range d.Reasons {
		lines = append(lines, "• "+Escape(brief(r, 500)))
	}
	for _, c := range d.Conditions {
		lines = append(lines, "• Condition: "+Escape(brief(c, 500)))
	}
	return lines
}

func statusFooter(l *launch.Launch, rep checklist.Report) string {
	items, signed := 0, 0
	for _, s := range rep.Sections {
		items += s.Count.Total
	}
	for _, s := range l.Checklist.Sections {
		if s.Signoff != nil {
			signed++
		}
	}
	parts := []string{fmt.Sprintf("%s in %s", plural(items, "item"), plural(len(rep.Sections), "section"))}
	if signed > 0 {
		parts = append(parts, fmt.Sprintf("%d signed off", signed))
	}
	if l.ReviewDate != "" {
		parts = append(parts, "next review "+Escape(l.ReviewDate))
	}
	if a := l.Announced; a != nil {
		parts = append(parts, fmt.Sprintf("last announced: %s on %s", a.Outcome, a.At.In(l.Location()).Format(launch.DateLayout)))
	}
	// The id the API and `golive report --launch` take.
	parts = append(parts, fmt.Sprintf("launch id %d", l.ID))
	return strings.Join(parts, " · ")
}
