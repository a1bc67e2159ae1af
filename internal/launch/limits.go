package launch

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/golive/golive/internal/checklist"
)

// Longest texts golive stores, in characters. Every entry point (slash
// command, modal, import, CLI) checks against these, so that what is
// stored always fits where it is shown: Slack's header and plain-text
// titles take 150 characters, a section text 3000, a message 40 000.
const (
	MaxName      = 100  // a launch's name, shown in headers
	MaxTitle     = 150  // a checklist, section, group, gate or window title
	MaxItemText  = 500  // an item's text
	MaxNote      = 1000 // an item's note, an approval's conditions or reason
	MaxDetails   = 2000 // the lines a document indents under an item
	MaxRoleName  = 60   // an approver role's name
	MaxRoleText  = 500  // an approver role's description
	MaxPersonRef = 100  // a person named in a document rather than picked in Slack
)

// CheckLength refuses a text longer than max characters, naming the field
// ("launch name", "item 12's text") so the user knows what to shorten.
func CheckLength(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, "The %s is %d characters long; keep it to %d or fewer.", field, n, max)
	}
	return nil
}

// CheckChecklist checks every text of a checklist against its limit,
// and reports the first one that is too long.
func CheckChecklist(c *checklist.Checklist) error {
	if c == nil {
		return nil
	}
	type text struct {
		field string
		s     string
		max   int
	}
	texts := []text{{"checklist title", c.Title, MaxTitle}}
	for i, s := range c.Sections {
		texts = append(texts, text{fmt.Sprintf("title of section %d", i+1), s.Title, MaxTitle})
		for _, g := range s.Groups {
			texts = append(texts, text{fmt.Sprintf("title of a group in section %d", i+1), g.Title, MaxTitle},
				text{fmt.Sprintf("owner of a group in section %d", i+1), g.Owner, MaxPersonRef})
			for _, it := range g.Items {
				texts = append(texts,
					text{fmt.Sprintf("text of item %d%s", it.Number, onLine(it.Line)), it.Text, MaxItemText},
					text{fmt.Sprintf("note of item %d%s", it.Number, onLine(it.Line)), it.Note, MaxNote},
					text{fmt.Sprintf("text under item %d%s", it.Number, onLine(it.Line)), it.Details, MaxDetails},
					text{fmt.Sprintf("owner of item %d%s", it.Number, onLine(it.Line)), it.Owner, MaxPersonRef},
					text{fmt.Sprintf("person who did item %d%s", it.Number, onLine(it.Line)), it.DoneBy, MaxPersonRef},
					text{fmt.Sprintf("subgroup of item %d%s", it.Number, onLine(it.Line)), it.Subgroup, MaxTitle})
				for _, n := range it.Notes {
					texts = append(texts, text{fmt.Sprintf("note on item %d", it.Number), n.Text, MaxNote})
				}
			}
		}
	}
	for i, r := range c.Roles {
		texts = append(texts, text{fmt.Sprintf("name of role %d", i+1), r.Name, MaxRoleName},
			text{"description of the role " + clipRunes(r.Name, MaxRoleName), r.Description, MaxRoleText},
			text{"note of the role " + clipRunes(r.Name, MaxRoleName), r.Note, MaxNote})
	}
	for i, g := range c.Gates {
		texts = append(texts, text{fmt.Sprintf("name of decision rule %d", i+1), g.Name, MaxTitle})
	}
	for i, w := range c.Windows {
		texts = append(texts, text{fmt.Sprintf("name of time window %d", i+1), w.Name, MaxTitle})
	}
	for _, t := range texts {
		if err := CheckLength(t.field, t.s, t.max); err != nil {
			return err
		}
	}
	return nil
}

func onLine(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", line)
}

func clipRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// bidiControls are the characters that override or isolate the direction
// of the text around them (U+202A–U+202E, U+2066–U+2069): in a name or an
// item they can make what a reader sees differ from what is stored, for
// example show "txt.exe" as "exe.txt". golive removes them from what people
// type and from everything it shows.
var bidiControls = strings.NewReplacer(
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "",
)

// StripBidi removes the bidirectional override and isolate characters from s.
func StripBidi(s string) string {
	if !strings.ContainsAny(s, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		return s
	}
	return bidiControls.Replace(s)
}
