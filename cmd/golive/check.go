package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/templates"
)

const checkUsage = `Usage: golive check [--json] [--list-items] FILE
       golive check [--json] --template NAME

FILE - reads the checklist from standard input.

Scores a Markdown checklist offline and prints its readiness, gates, roles
and the GO / NO-GO decision with its reasons. --json prints one JSON object.
--list-items makes every list item an item, for checklists written without
checkboxes. Exit status: 0 for GO or CONDITIONAL GO, 1 for NO-GO or PENDING,
2 when the file cannot be used (with the import report, which says why).
`

// checkJSON is what `golive check --json` prints: the report, plus what the
// import skipped or could not resolve, and the time windows.
type checkJSON struct {
	checklist.ReportJSON
	Skipped    []checklist.ImportProblem `json:"skipped"`
	Unresolved []checklist.ImportProblem `json:"unresolved"`
	Defaults   []string                  `json:"defaults"`
	Windows    []checklist.WindowJSON    `json:"windows"`
}

// runCheck is `golive check`: it scores a checklist file or a built-in
// template and returns the exit status the decision calls for.
func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	flags.Usage = func() { fmt.Fprint(flags.Output(), checkUsage) }
	asJSON := flags.Bool("json", false, "print one JSON object")
	template := flags.String("template", "", "check a built-in template: "+strings.Join(templates.Names(), ", "))
	listItems := flags.Bool("list-items", false, "make every list item an item, checkbox or not")
	files, status, ok := parseFlags(flags, args, true, stdout, stderr)
	if !ok {
		return status
	}
	var err error
	var name string
	var src []byte
	switch {
	case *template != "" && len(files) == 0:
		t, err := templates.Get(*template)
		if err != nil {
			fmt.Fprintf(stderr, "golive check: %v\n", err)
			return 2
		}
		name, src = "template "+t.Name, t.Markdown
	case *template == "" && len(files) == 1:
		name = inputName(files[0])
		if src, err = readChecklist(files[0], stdin); err != nil {
			fmt.Fprintf(stderr, "golive check: %s: %v\n", name, err)
			return 2
		}
	default:
		fmt.Fprint(stderr, "golive check: give one checklist FILE, or --template NAME\n\n"+checkUsage)
		return 2
	}
	list, imp, err := checklist.ParseWith([]byte(launch.StripBidi(string(src))), checklist.ParseOptions{ListItems: *listItems})
	if err != nil {
		fmt.Fprintf(stderr, "golive check: %s: %v\n", name, err)
		if e, ok := checklist.IsNoItems(err); ok && e.ListItems > 0 && len(files) == 1 {
			fmt.Fprintf(stderr, "To import every list item as an item: golive check --list-items %s\n", files[0])
		}
		if imp != nil {
			for _, l := range imp.Problems() {
				fmt.Fprintln(stderr, l)
			}
		}
		return 2
	}
	// The limits an import into Slack would enforce, so that a checklist
	// that passes here imports there.
	if err := launch.CheckChecklist(list); err != nil {
		fmt.Fprintf(stderr, "golive check: %s: %s\n", name, launch.ErrorMessage(err))
		return 2
	}
	report := checklist.Score(list)
	if *asJSON {
		err = writeJSON(stdout, report, list, imp)
	} else {
		err = writeText(stdout, report, imp)
	}
	if err != nil {
		fmt.Fprintf(stderr, "golive check: write the report: %v\n", err)
		return 2
	}
	return exitStatus(report.Decision.Outcome)
}

// exitStatus is check's exit status for a decision: 0 lets a deploy
// pipeline go on (GO, CONDITIONAL GO), 1 stops it (NO-GO, PENDING).
func exitStatus(o checklist.Outcome) int {
	switch o {
	case checklist.OutcomeGo, checklist.OutcomeConditional:
		return 0
	}
	return 1
}

// stdinName is the FILE that stands for standard input.
const stdinName = "-"

// inputName names a checklist FILE in messages.
func inputName(path string) string {
	if path == stdinName {
		return "standard input"
	}
	return path
}

// readChecklist reads a checklist file, or stdin for "-", no more than the
// importer accepts, with errors fit for a one-line message.
func readChecklist(path string, stdin io.Reader) ([]byte, error) {
	if path == stdinName {
		return readLimited(stdin)
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && strings.Contains(path, "://"):
		return nil, errors.New("no such file: golive reads a file on this machine, or standard input for -; " +
			"for a checklist on the web, download it first, or pipe it: curl -fsSL URL | golive check -")
	case errors.Is(err, fs.ErrNotExist):
		return nil, errors.New("no such file")
	case errors.Is(err, fs.ErrPermission):
		return nil, errors.New("permission denied")
	case err != nil:
		return nil, fmt.Errorf("cannot open it: %w", unwrapPath(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		switch {
		case info.IsDir():
			return nil, errors.New("is a directory, not a checklist file")
		case info.Size() > checklist.MaxSize:
			return nil, checklist.TooLarge(info.Size())
		}
	}
	// The limit holds for files whose size Stat does not tell (pipes, devices).
	return readLimited(f)
}

// readLimited reads r up to the importer's limit: what is longer is refused
// without reading it all, and without a size it cannot know.
func readLimited(r io.Reader) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, checklist.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %w", unwrapPath(err))
	}
	if len(src) > checklist.MaxSize {
		return nil, checklist.TooLargeUnknownSize()
	}
	return src, nil
}

// unwrapPath drops the path an *fs.PathError repeats: the message names the file already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func writeJSON(w io.Writer, r checklist.Report, c *checklist.Checklist, imp *checklist.ImportReport) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(checkJSON{ReportJSON: r.JSON(), Skipped: imp.Skipped, Unresolved: imp.Unresolved, Defaults: imp.Defaults,
		Windows: checklist.WindowsJSON(c)})
}

// writeText prints the report for people; it is built in memory and
// written at once, so that one error tells whether it reached the reader.
func writeText(out io.Writer, r checklist.Report, imp *checklist.ImportReport) error {
	w := &strings.Builder{}
	title := r.Title
	if title == "" {
		title = "Untitled checklist"
	}
	fmt.Fprintf(w, "%s\nReadiness: %s\n", title, r.Readiness)
	if note := r.WindowsNote(); note != "" {
		fmt.Fprintf(w, "  %s\n", note)
	}
	fmt.Fprint(w, "\nSections\n")
	sections := table{right: []bool{false, true, true, false}}
	for _, s := range r.Sections {
		sections.add(orUntitled(s.Title), fmt.Sprintf("%d/%d", s.Count.Done, s.Count.Total), s.Count.PercentText(), sectionNote(r, s))
		for _, g := range s.Groups {
			if g.Count.Total == 0 {
				continue
			}
			sections.add("    "+orUntitled(g.Title), fmt.Sprintf("%d/%d", g.Count.Done, g.Count.Total), g.Count.PercentText(), groupNote(r, s, g))
		}
	}
	sections.write(w)
	fmt.Fprint(w, "\nGates\n")
	gates := table{right: []bool{false, false, true, false, true, false}}
	for _, g := range r.Gates {
		status, value := "FAIL", g.Count.PercentText()
		if g.Passed {
			status = "PASS"
		}
		switch {
		case g.Unresolved:
			value = "not found"
		case g.Count.Empty():
			value = checklist.NoItems
		}
		gates.add(status, g.Name, value, "needs "+g.Rule(), fmt.Sprintf("%d/%d", g.Count.Done, g.Count.Total), fmt.Sprintf("%s (%s)", r.TargetName(g.Gate), g.Kind))
	}
	gates.write(w)
	if len(r.Roles) > 0 {
		fmt.Fprint(w, "\nRoles\n")
		roles := table{}
		for _, role := range r.Roles {
			verdict := string(role.Verdict)
			if role.By != "" {
				verdict += " by " + role.By
			}
			if role.Note != "" {
				verdict += ": " + role.Note
			}
			roles.add(role.Name, verdict)
		}
		roles.write(w)
	}
	fmt.Fprintf(w, "\nDecision: %s\n", r.Decision.Outcome)
	for _, reason := range r.Decision.Reasons {
		fmt.Fprintf(w, "  - %s\n", reason)
	}
	for _, c := range r.Decision.Conditions {
		fmt.Fprintf(w, "  - condition: %s\n", c)
	}
	notes := append(append([]string{}, imp.Defaults...), problems("Unresolved", imp.Unresolved)...)
	notes = append(notes, problems("Skipped", imp.Skipped)...)
	if len(notes) > 0 {
		fmt.Fprint(w, "\nImport notes\n")
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	_, err := io.WriteString(out, w.String())
	return err
}

// table lines up columns of text; right marks right-aligned columns.
type table struct {
	rows  [][]string
	right []bool
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	var widths []int
	for _, row := range t.rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range t.rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < len(t.right) && t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			b.WriteString("  ")
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// maxNotes caps the skipped lines the text report lists one by one.
const maxNotes = 20

func problems(what string, ps []checklist.ImportProblem) []string {
	var out []string
	for i, p := range ps {
		if i == maxNotes {
			out = append(out, fmt.Sprintf("… and %d more (--json lists them all)", len(ps)-maxNotes))
			break
		}
		out = append(out, fmt.Sprintf("%s, line %d: %s: %s", what, p.Line, p.Text, p.Reason))
	}
	return out
}

func sectionNote(r checklist.Report, s checklist.SectionScore) string {
	switch {
	case s.Kind == checklist.KindWindow && r.DueWindows && s.Counted == s.Count:
		return "time windows due by launch, counted"
	case s.Kind == checklist.KindWindow && r.DueWindows && !s.Counted.Empty():
		return fmt.Sprintf("time windows, %d/%d due by launch counted", s.Counted.Done, s.Counted.Total)
	case s.Kind == checklist.KindWindow:
		return "time windows, not counted"
	case s.Kind == checklist.KindDecision:
		return "decision, not counted"
	case s.Count.Total == 0:
		return "no items"
	}
	return ""
}

// groupNote tells, in a section partly counted, which of its windows count.
func groupNote(r checklist.Report, s checklist.SectionScore, g checklist.GroupScore) string {
	if !r.DueWindows || s.Kind != checklist.KindWindow || s.Counted.Empty() || s.Counted == s.Count {
		return ""
	}
	if g.Counted {
		return "due by launch, counted"
	}
	return "after launch, not counted"
}

func orUntitled(s string) string {
	if s == "" {
		return "(untitled)"
	}
	return s
}
