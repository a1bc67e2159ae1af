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
