package render

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// evidenceBlocks bounds the evidence list in status.
const evidenceBlocks = 4

// evidenceLines lists the items a pipeline reported on through the API,
// failures first: what the check found, by which token, when, and a link to
// its run; nil when no item has evidence. Probes have their own lines.
func evidenceLines(l *launch.Launch) []string {
	var failed, passed []string
	for _, it := range l.Checklist.Items() {
		e := it.Evidence
		if e == nil || e.By == launch.ProbeActor {
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
// the option's description: a probe's with a small ✓ or ✗ and when it ran.
func evidenceDesc(e *checklist.Evidence) *slack.TextBlockObject {
	prefix := evidenceIcon(e) + " "
	if e.By == launch.ProbeActor {
		prefix = ProbeMark(e) + " "
	}
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

// ProbeMark is the small mark of a probe's result: ✓ or ✗.
func ProbeMark(e *checklist.Evidence) string {
	if e.Pass {
		return "✓"
	}
	return "✗"
}

// Age says how long ago something was, roughly: "just now", "12 min ago",
// "3 h ago", "2 days ago".
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// probeBlocks bounds the failing probes listed in status and the announcement.
const probeBlocks = 3

// probeLines says what the probes found: how many items they verified and
// when they last ran ("12 items verified automatically at 08:00"), then
// each failing probe with what it found and how long ago; nil when no
// probe has run.
func probeLines(l *launch.Launch, now time.Time) []string {
	var passed int
	var failed []string
	var last time.Time
	for _, it := range l.Checklist.Items() {
		e := it.Evidence
		if it.Probe == nil || e == nil || e.By != launch.ProbeActor {
			continue
		}
		if e.At.After(last) {
			last = e.At
		}
		if e.Pass {
			passed++
			continue
		}
		failed = append(failed, fmt.Sprintf("✗ *%d.* %s — %s (%s)", it.Number, Escape(brief(it.Text, 200)),
			Escape(brief(e.Summary, launch.MaxEvidenceSummary)), Age(now.Sub(e.At))))
	}
	if passed+len(failed) == 0 {
		return nil
	}
	at := last.In(l.Location())
	when := at.Format("15:04")
	if at.Format(time.DateOnly) != now.In(l.Location()).Format(time.DateOnly) {
		when = at.Format("15:04 on 2 Jan")
	}
	noun := "items"
	if passed == 1 {
		noun = "item"
	}
	head := fmt.Sprintf("*Probes*: %d %s verified automatically at %s", passed, noun, when)
	if len(failed) > 0 {
		head += fmt.Sprintf("; %d failing", len(failed))
	}
	return append([]string{head}, failed...)
}
