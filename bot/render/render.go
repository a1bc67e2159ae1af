// Package render turns golive's domain state into Slack Block Kit: the
// readiness summary, the interactive checklist, help, the import modal and
// its report, and the App Home. Every function is pure (no network, no store,
// no clock), so each message can be golden-tested and checked against Slack's
// limits; user text is escaped wherever it lands in mrkdwn.
package render

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/launch"
)

// Message is a Slack message: the plain fallback text and its blocks.
type Message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// Slack's limits, from SLACK.md; the renderers keep inside them and
// CheckLimits asserts them.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxSectionText   = 3000
	maxFieldText     = 2000
	maxFields        = 10
	maxHeaderText    = 150
	maxContextElems  = 10
	maxActionElems   = 25
	maxIDLen         = 255
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxOptionText    = 75
	maxOptionValue   = 74 // "value 150 characters (some SDKs say 75: stay under 75)"
	maxOptionDesc    = 75
	maxCheckboxOpts  = 10
	maxSelectOpts    = 100
	maxModalText     = 24
	maxPrivateMeta   = 3000
	maxViewBytes     = 250_000 // a view's JSON: past it, view_too_large
	maxMessageText   = 3999
	maxInputLength   = 3000
)

// Notice is a short message of ours, such as an error or a confirmation.
// Everything in it is escaped except user mentions of the strict form <@U…>,
// which the domain builds from stored ids: user text quoted in a notice
// (a section name someone typed) stays inert.
func Notice(text string) Message {
	safe := clip(escapeKeepMentions(clip(text, maxSectionText)), maxSectionText)
	if strings.TrimSpace(safe) == "" {
		safe = "Done."
	}
	return Message{
		Text:   clip(safe, maxMessageText),
		Blocks: []slack.Block{section(safe)},
	}
}

// plain and mrkdwn drop direction overrides from every text object, also
// from text that needs no escaping (plain_text) or was built from stored
// text before golive removed them on input.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, nonEmpty(launch.StripBidi(s)), false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, nonEmpty(launch.StripBidi(s)), false, false)
}

// field is one of a section's fields.
func field(text string) *slack.TextBlockObject {
	return mrkdwn(clip(text, maxFieldText))
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(clip(text, maxSectionText)), nil, nil)
}

func header(text string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plain(clip(text, maxHeaderText)))
}

func contextBlock(texts ...string) *slack.ContextBlock {
	elems := make([]slack.MixedElement, 0, len(texts))
	for _, t := range texts {
		if len(elems) == maxContextElems {
			break
		}
		elems = append(elems, mrkdwn(clip(t, maxSectionText)))
	}
	return slack.NewContextBlock("", elems...)
}

// nonEmpty keeps Slack from refusing a text object with no characters.
func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// clip shortens s to at most max characters (runes), ending with "…" when
// something was cut. It never cuts inside an HTML entity such as "&amp;",
// which would show a broken escape. Its cost depends on max, not on s.
func clip(s string, max int) string {
	head, cut := clipHead(s, max)
	if !cut {
		return s
	}
	if amp := strings.LastIndexByte(head, '&'); amp >= 0 && strings.IndexByte(head[amp:], ';') < 0 {
		head = head[:amp]
	}
	return withEllipsis(head, max)
}

// clipPlain is clip for plain_text, where entities mean nothing.
func clipPlain(s string, max int) string {
	head, cut := clipHead(s, max)
	if !cut {
		return s
	}
	return withEllipsis(head, max)
}

// clipHead returns the first max-1 runes of s, leaving room for "…", and
// whether s is longer than max.
func clipHead(s string, max int) (string, bool) {
	if _, cut := prefixRunes(s, max); !cut {
		return s, false
	}
	if max < 1 {
		return "", true
	}
	head, _ := prefixRunes(s, max-1)
	return head, true
}

func withEllipsis(head string, max int) string {
	if max < 1 {
		return ""
	}
	return strings.TrimRight(head, " ") + "…"
}

// prefixRunes returns the first n runes of s, and whether that left
// something out.
func prefixRunes(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	i := 0
	for count := 0; count < n && i < len(s); count++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i], i < len(s)
}

// brief folds user text onto one line of at most n characters, looking at
// no more of it than that needs: item texts can be very long.
func brief(s string, n int) string {
	head, cut := prefixRunes(s, 4*n+16)
	line := oneLine(head)
	if cut {
		line += "…"
	}
	return clip(line, n)
}

// plainBrief is brief for plain_text.
func plainBrief(s string, n int) string {
	head, cut := prefixRunes(s, 4*n+16)
	line := oneLine(head)
	if cut {
		line += "…"
	}
	return clipPlain(line, n)
}

// oneLine folds whitespace runs, newlines included, into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// chunkLines packs lines into texts of at most max characters each, for
// consecutive section blocks; a line longer than max is clipped.
func chunkLines(lines []string, max int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for _, line := range lines {
		line = clip(line, max)
		size := utf8.RuneCountInString(line)
		if n > 0 && n+1+size > max {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte('\n')
			n++
		}
		cur.WriteString(line)
		n += size
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}

// lineBlocks renders lines as at most maxBlocks section blocks; the lines
// that do not fit are summed up by a last line, more(number left out).
func lineBlocks(lines []string, maxBlocks int, more func(n int) string) []slack.Block {
	if maxBlocks < 1 || len(lines) == 0 {
		return nil
	}
	chunks := chunkLines(lines, maxSectionText)
	for n := len(lines) - 1; len(chunks) > maxBlocks && n >= 0; n-- {
		chunks = chunkLines(append(lines[:n:n], more(len(lines)-n)), maxSectionText)
	}
	blocks := make([]slack.Block, len(chunks))
	for i, c := range chunks {
		blocks[i] = section(c)
	}
	return blocks
}
