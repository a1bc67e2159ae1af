package render

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// evidenceBlocks bounds the evidence list in status.
const evidenceBlocks = 4

// evidenceLines lists the items a pipeline reported on through the API,
// failures first: what the check found, by which token, when, and a link to
// its run; nil when no item has evidence.
func evidenceLines(l *launch.Launch) []string {
	var failed, passed []string
	for _, it := range l.Checklist.Items() {
		e := it.Evidence
		if e == nil {
			continue
		}
		line := fmt.Sprintf("%s *%d.* %s — %s", evidenceIcon(e), it.Number, Escape(brief(it.Text, 200)), evidenceText(e))
		if e.Pass {
			passed = append(passed, line)
		} else {
			failed = append(failed, line)
		}
	}
	if len(failed)+len(passed) == 0 {
		return nil
	}
	head := fmt.Sprintf("*Evidence from pipelines* (%d): %d passing, %d failing", len(failed)+len(passed), len(passed), len(failed))
	return append(append([]string{head}, failed...), passed...)
}

// evidenceText says a piece of evidence in mrkdwn: its summary, who
// reported it and when the check ran, and a link to the run.
func evidenceText(e *checklist.Evidence) string {
	text := fmt.Sprintf("%s (%s, %s)", Escape(brief(e.Summary, launch.MaxEvidenceSummary)), mention(e.By), e.At.UTC().Format("2 Jan 15:04 UTC"))
	if e.URL != "" {
		// The domain refuses the characters that would end the link.
		text += " <" + strings.ReplaceAll(e.URL, "&", "&amp;") + "|run>"
	}
	return text
}

func evidenceIcon(e *checklist.Evidence) string {
	if e.Pass {
		return "✅"
	}
	return "❌"
}

// evidenceDesc shows an item's evidence under it in the checklist, within
// the option's description.
func evidenceDesc(e *checklist.Evidence) *slack.TextBlockObject {
	prefix := evidenceIcon(e) + " "
	suffix := " (" + plainBrief(e.By, 40) + ", " + e.At.UTC().Format("2 Jan 15:04 UTC") + ")"
	room := maxOptionDesc - utf8.RuneCountInString(prefix) - utf8.RuneCountInString(suffix)
	return plain(prefix + clipPlain(plainBrief(e.Summary, maxOptionDesc), room) + suffix)
}

// freshBlocks bounds the lists of stale items in status and a reminder.
const freshBlocks = 3

// staleLines lists the done items whose verification is older than their
// freshness: their gates count them open; nil when there are none.
func staleLines(l *launch.Launch, rep checklist.Report) []string {
	if len(rep.Stale) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*Stale verification* (%d): counted as open for their gates until verified again", len(rep.Stale))}
	for _, s := range rep.Stale {
		lines = append(lines, fmt.Sprintf("⌛ *%d.* %s — verified %s, must be within %s", s.Number, Escape(brief(s.Text, 200)),
			s.VerifiedAt.In(l.Location()).Format("2 Jan 15:04"), launch.FreshText(s.Fresh)))
	}
	return lines
}

// reverifyLines lists, on launch day, the items to verify again before the
// launch; nil when there are none.
func reverifyLines(l *launch.Launch, items []*checklist.Item) []string {
	if len(items) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*Verify again before the launch* (%d): older than their freshness by then, their gates count them open", len(items))}
	for _, it := range items {
		lines = append(lines, fmt.Sprintf("⌛ *%d.* %s — verified %s, must be within %s%s", it.Number, Escape(brief(it.Text, 200)),
			it.VerifiedAt().In(l.Location()).Format("2 Jan 15:04"), launch.FreshText(it.Fresh), ownerSuffix(it.Owner)))
	}
	return lines
}

func ownerSuffix(owner string) string {
	if owner == "" {
		return ""
	}
	return " · " + mention(owner)
}
