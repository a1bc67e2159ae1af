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
// and reports the first one that is too long. A field's name is written
// only for a text too long: a checklist of 10 000 items has 60 000 texts.
func CheckChecklist(c *checklist.Checklist) error {
	if c == nil {
		return nil
	}
	var err error
	check := func(s string, max int, field func() string) bool {
		if len(s) <= max { // bytes: never fewer than characters
			return true
		}
		err = CheckLength(field(), s, max)
		return err == nil
	}
	named := func(format string, args ...any) func() string {
		return func() string { return fmt.Sprintf(format, args...) }
	}
	if !check(c.Title, MaxTitle, named("checklist title")) {
		return err
	}
	for i, s := range c.Sections {
		if !check(s.Title, MaxTitle, named("title of section %d", i+1)) {
			return err
		}
		for _, g := range s.Groups {
			if !check(g.Title, MaxTitle, named("title of a group in section %d", i+1)) ||
				!check(g.Owner, MaxPersonRef, named("owner of a group in section %d", i+1)) {
				return err
			}
			for _, it := range g.Items {
				at := func(what string) func() string {
					return func() string { return fmt.Sprintf("%s %d%s", what, it.Number, onLine(it.Line)) }
				}
				if !check(it.Text, MaxItemText, at("text of item")) ||
					!check(it.Note, MaxNote, at("note of item")) ||
					!check(it.Details, MaxDetails, at("text under item")) ||
					!check(it.Owner, MaxPersonRef, at("owner of item")) ||
					!check(it.DoneBy, MaxPersonRef, at("person who did item")) ||
					!check(it.Subgroup, MaxTitle, at("subgroup of item")) {
					return err
				}
				for _, n := range it.Notes {
					if !check(n.Text, MaxNote, named("note on item %d", it.Number)) {
						return err
					}
				}
			}
		}
	}
	for i, r := range c.Roles {
		if !check(r.Name, MaxRoleName, named("name of role %d", i+1)) ||
			!check(r.Description, MaxRoleText, func() string { return "description of the role " + clipRunes(r.Name, MaxRoleName) }) ||
			!check(r.Note, MaxNote, func() string { return "note of the role " + clipRunes(r.Name, MaxRoleName) }) {
			return err
		}
	}
	for i, g := range c.Gates {
		if !check(g.Name, MaxTitle, named("name of decision rule %d", i+1)) {
			return err
		}
	}
	for i, w := range c.Windows {
		if !check(w.Name, MaxTitle, named("name of time window %d", i+1)) {
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
