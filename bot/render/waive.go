package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// waiverBlocks bounds the waiver list in status and the announcement.
const waiverBlocks = 4

// waiverLines lists the waivers the decision counts: each item with who
// waived it, until when and why; nil when there are none.
func waiverLines(rep checklist.Report) []string {
	if len(rep.Waivers) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*Waivers* (%d): counted as done for their gates, never for readiness", len(rep.Waivers))}
	for _, w := range rep.Waivers {
		lines = append(lines, fmt.Sprintf("🛡 *%d.* %s — %s, until %s: %s", w.Number, Escape(brief(w.Text, 200)),
			mention(w.Waiver.By), Escape(w.Waiver.Until), Escape(brief(w.Waiver.Reason, 500))))
	}
	return lines
}

// lapseShown bounds the items a lapse notice lists by name.
const lapseShown = 10

// WaiverLapse tells the channel that the waivers of items ended: each item
// counts as open again, and the decision as it stands now.
func WaiverLapse(l *launch.Launch, items []*checklist.Item, now time.Time) Message {
	rep := l.Decide(now)
	lines := []string{fmt.Sprintf("🛡 *%s ended*: %s open again, for %s gates as for readiness.",
		plural(len(items), "waiver"), countsAs(len(items)), theirIts(len(items)))}
	lines = append(lines, lapseLines(items, true)...)
	lines = append(lines, fmt.Sprintf("Decision now: %s *%s*. Tick what is done, or a role holder can waive again: `waive <n> until <YYYY-MM-DD> \"<reason>\"`.",
		outcomeIcon(rep.Decision.Outcome), rep.OutcomeText()))
	text := fmt.Sprintf("%s of %s ended: %s open again", plural(len(items), "waiver"), oneLine(clip(l.Name, 100)), itemNumbers(items))
	return Message{Text: clip(Escape(text), maxMessageText), Blocks: lineBlocks(lines, waiverBlocks, moreLine("items"))}
}

// WaiverLapseDM tells an owner that the waivers of their items ended.
func WaiverLapseDM(l *launch.Launch, items []*checklist.Item) Message {
	lines := []string{fmt.Sprintf("🛡 The %s of your %s in *%s* (%s) ended: %s open again.",
		pluralWord(len(items), "waiver"), pluralWord(len(items), "item"), Escape(clip(oneLine(l.Name), 100)), channelRef(l.ChannelID), countsAs(len(items)))}
	lines = append(lines, lapseLines(items, false)...)
	lines = append(lines, "Tick it there when it is done (`/golive tick <n>`), or ask a role holder for a new waiver.")
	text := fmt.Sprintf("Your waived %s in %s: the waiver ended, %s open again", pluralWord(len(items), "item"), oneLine(clip(l.Name, 100)), itemNumbers(items))
	return Message{Text: clip(Escape(text), maxMessageText), Blocks: lineBlocks(lines, waiverBlocks, moreLine("items"))}
}

// lapseLines lists the items whose waiver ended, with who gave it, its last
// day and why; owners too for the channel.
func lapseLines(items []*checklist.Item, owners bool) []string {
	var lines []string
	for i, it := range items {
		if i == lapseShown {
			lines = append(lines, fmt.Sprintf("_… and %d more (see `status`)_", len(items)-i))
			break
		}
		w := it.Waiver
		line := fmt.Sprintf("• *%d.* %s — waived by %s until %s: %s", it.Number, Escape(brief(it.Text, 200)),
			mention(w.By), Escape(w.Until), Escape(brief(w.Reason, 300)))
		if owners && it.Owner != "" {
			line += " · owner " + mention(it.Owner)
		}
		lines = append(lines, line)
	}
	return lines
}

func countsAs(n int) string {
	if n == 1 {
		return "its item counts as"
	}
	return "their items count as"
}

// pluralWord is a noun for n things, without the number.
func pluralWord(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// itemNumbers lists item numbers: "item 12", "items 12, 14".
func itemNumbers(items []*checklist.Item) string {
	nums := make([]string, len(items))
	for i, it := range items {
		nums[i] = strconv.Itoa(it.Number)
	}
	return pluralWord(len(items), "item") + " " + strings.Join(nums, ", ")
}
