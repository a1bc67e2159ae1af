package render

import (
	"fmt"
	"strings"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/slack-go/slack"
)

// Block budgets of the import report's lists; with the fixed blocks they
// stay under Slack's 50.
const (
	importSectionBlocks = 8
	importGateBlocks    = 6
	importRoleBlocks    = 3
	importWindowBlocks  = 3
	importNoteBlocks    = 4 // defaults and unresolved references
	importSkipBlocks    = 20
)

// ImportResult tells the importer what was recognised in their checklist:
// items per section and group, the gates, the roles and the time windows,
// the defaults applied, the references that did not resolve, and every line
// skipped that looked like an item, with its number.
func ImportResult(l *launch.Launch, rep *checklist.ImportReport) Message {
	if rep == nil {
		rep = &checklist.ImportReport{}
	}
	name := clip(l.Name, 140)
	head := fmt.Sprintf("*%s*: %s in %s, launch on %s (%s).", Escape(name), plural(rep.Items, "item"), plural(len(rep.Sections), "section"),
		Escape(l.When()), Escape(l.Timezone))
	if rep.Tasks > 0 {
		head += fmt.Sprintf(" Plain-bullet tasks of time windows among them: %d.", rep.Tasks)
	}
	if rep.Title != "" {
		head += "\nTitle: " + Escape(brief(rep.Title, 300))
	}
	blocks := []slack.Block{header("Imported: " + name), section(head)}
	blocks = append(blocks, importBlocks(rep, moreLine)...)
	blocks = append(blocks, contextBlock("`status` shows readiness and the decision; `checklist` shows the items to tick."))
	return Message{
		Text: clip(Escape(fmt.Sprintf("Imported %s: %s in %s, %s skipped", name, plural(rep.Items, "item"),
			plural(len(rep.Sections), "section"), plural(len(rep.Skipped), "line"))), maxMessageText),
		Blocks: blocks,
	}
}

// importBlocks lists what the import recognised, each list within its block
// budget; more sums up what does not fit.
func importBlocks(rep *checklist.ImportReport, more func(what string) func(int) string) []slack.Block {
	var blocks []slack.Block
	blocks = append(blocks, lineBlocks(importSectionLines(rep), importSectionBlocks, more("sections"))...)
	blocks = append(blocks, lineBlocks(importGateLines(rep), importGateBlocks, more("gates"))...)
	blocks = append(blocks, lineBlocks(importRoleLines(rep), importRoleBlocks, more("roles"))...)
	if len(rep.Windows) > 0 {
		blocks = append(blocks, lineBlocks(importWindowLines(rep), importWindowBlocks, more("windows"))...)
	}
	if notes := importNotes(rep); len(notes) > 1 {
		blocks = append(blocks, lineBlocks(notes, importNoteBlocks, more("notes"))...)
	}
	if len(rep.Skipped) > 0 {
		blocks = append(blocks, lineBlocks(skippedLines(rep.Skipped), importSkipBlocks, more("skipped lines"))...)
	}
	return blocks
}

func importSectionLines(rep *checklist.ImportReport) []string {
	lines := []string{"*Sections*"}
	for _, s := range rep.Sections {
		var groups []string
		for _, g := range s.Groups {
			if g.Items == 0 && g.Title == "" {
				continue
			}
			title := g.Title
			if title == "" {
				title = "(no group)"
			}
			tag := fmt.Sprintf(" %d", g.Items)
			if g.Priority != "" {
				tag += " " + g.Priority
			}
			if g.Window != "" {
				tag += ", " + g.Window
			}
			groups = append(groups, Escape(brief(title, 60))+Escape(tag))
		}
		line := fmt.Sprintf("• *%s* (line %d): %s, %s", Escape(brief(s.Title, 100)), s.Line, plural(s.Items, "item"), Escape(string(s.Kind)))
		if s.Why != "" {
			line += " (" + Escape(brief(s.Why, 200)) + ")"
		}
		if len(groups) > 0 {
			line += ": " + strings.Join(groups, ", ")
		}
		if s.Signoff {
			line += "; sign-off line"
		}
		lines = append(lines, clip(line, 1000))
	}
	return lines
}

func importGateLines(rep *checklist.ImportReport) []string {
	lines := []string{"*Gates*"}
	if len(rep.Gates) == 0 {
		return append(lines, "_None found._")
	}
	for _, g := range rep.Gates {
		at := "default"
		if g.Line > 0 {
			at = fmt.Sprintf("line %d", g.Line)
		}
		icon, target := "•", " on "+Escape(brief(g.Target, 150))
		if g.Unresolved {
			icon, target = "⚠️", ": _not found in the checklist; this gate fails until the document names an existing section or group_"
		}
		lines = append(lines, fmt.Sprintf("%s *%s* %s (%s, %s)%s", icon, Escape(brief(g.Name, 150)), Escape(g.Rule),
			Escape(string(g.Kind)), at, target))
	}
	return lines
}

func importRoleLines(rep *checklist.ImportReport) []string {
	lines := []string{"*Approver roles*"}
	if len(rep.Roles) == 0 {
		return append(lines, "_None found: add them with `role add \"Security Lead\"`._")
	}
	for _, r := range rep.Roles {
		v := string(r.Verdict)
		if r.By != "" {
			v += " by " + r.By
		}
		lines = append(lines, fmt.Sprintf("• *%s* (line %d): %s", Escape(brief(r.Name, 100)), r.Line, Escape(clip(v, 200))))
	}
	return lines
}

func importWindowLines(rep *checklist.ImportReport) []string {
	lines := []string{"*Time windows*"}
	for _, w := range rep.Windows {
		lines = append(lines, fmt.Sprintf("• *%s* (line %d): %s, %s", Escape(brief(w.Name, 100)), w.Line,
			checklist.OffsetWords(w.OffsetMinutes), plural(w.Tasks, "task")))
	}
	return lines
}

func importNotes(rep *checklist.ImportReport) []string {
	lines := []string{"*Notes*"}
	for _, d := range rep.Defaults {
		lines = append(lines, "• "+Escape(brief(d, 500)))
	}
	for _, u := range rep.Unresolved {
		lines = append(lines, fmt.Sprintf("⚠️ Line %d: %s: %s", u.Line, quote(u.Text), Escape(brief(u.Reason, 300))))
	}
	return lines
}

func skippedLines(skipped []checklist.ImportProblem) []string {
	lines := []string{fmt.Sprintf("*Skipped lines* (%d): they looked like items but were not imported", len(skipped))}
	for _, s := range skipped {
		lines = append(lines, fmt.Sprintf("• Line %d: %s: %s", s.Line, quote(s.Text), Escape(brief(s.Reason, 300))))
	}
	return lines
}

// quote shows a line of the document as inline code, escaped and clipped.
func quote(s string) string {
	s = strings.ReplaceAll(oneLine(s), "`", "'")
	if s == "" {
		return "(empty)"
	}
	return "`" + Escape(clip(s, 150)) + "`"
}
