package checklist_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive/golive/internal/checklist"
)

// The decision's invariants, checked over checklists nobody wrote by hand:
// random Markdown documents run through the real importer (genDoc), random
// models scored directly (genModel), and `go test -fuzz=FuzzDecision`.
//
//   - ticking an item never lowers readiness, never turns a passing gate
//     into a failing one, and with approvals unchanged never changes a
//     decision that was not NO-GO;
//   - an open item inside a 100% gate means never GO;
//   - zero counted items means never GO;
//   - an item marked not applicable counts nowhere once confirmed, and
//     changes nothing while its confirmation is awaited;
//   - the same document read twice, or with CRLF, a BOM or trailing spaces,
//     gives the same report.

// propertyRuns is how many generated checklists each property sees; a
// failure names the seed that reproduces it.
const propertyRuns = 400

var (
	readinessNames = []string{"Security", "Infrastructure", "Monitoring", "Testing", "Documentation", "Database", "Support"}
	groupNames     = []string{"Authentication", "Logging", "Backups", "Alerting", "Runbooks", "Load", "Caching"}
	windowNames    = []string{"1 Week Before Launch", "3 Days Before Launch", "1 Day Before Launch", "Launch Day", "1 Day After Launch", "First Week", "First Month"}
	itemWords      = []string{"configure", "review", "document", "verify", "rotate", "measure", "rehearse", "update"}
	itemObjects    = []string{"backups", "dashboards", "alerts", "secrets", "runbook", "load test", "rollback plan", "DNS"}
	itemNotes      = []string{"Owner: [DevOps]", "Status: TBD", "Test date: [MM/DD]", "Owner: Dana", "see the runbook"}
	approvers      = []string{"Dana", "Sam", "________", "[Name]", "TBD", "N/A", "<name>", "?"}
	roleNames      = []string{"Engineering Lead", "Product Manager", "Security Lead", "Operations Lead"}
)

// genDoc writes a random Markdown checklist in the shapes the importer reads:
// readiness sections with groups, time windows, GO criteria naming sections,
// a P0 tier, an overall minimum and an approvals list. Any part may be
// missing, so that some documents count nothing towards readiness.
func genDoc(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("# Generated Launch\n\n")
	n := 0
	item := func() {
		n++
		box := " "
		if rng.IntN(2) == 0 {
			box = "x"
		}
		fmt.Fprintf(&b, "- [%s] %s %s %d\n", box, itemWords[rng.IntN(len(itemWords))], itemObjects[rng.IntN(len(itemObjects))], n)
		if rng.IntN(6) == 0 {
			// Notes under an item are its details, never roles nor tasks.
			fmt.Fprintf(&b, "  - %s\n", itemNotes[rng.IntN(len(itemNotes))])
		}
	}
	items := func(max int) {
		for range 1 + rng.IntN(max) {
			item()
		}
	}
	section := 0
	var readiness []string
	for _, name := range pick(rng, readinessNames, rng.IntN(4)) {
		section++
		readiness = append(readiness, fmt.Sprintf("%s (Section %d)", name, section))
		fmt.Fprintf(&b, "## %d. %s\n", section, name)
		if rng.IntN(3) == 0 {
			items(4)
		}
		for _, g := range pick(rng, groupNames, rng.IntN(3)) {
			fmt.Fprintf(&b, "### %s\n", g)
			items(5)
		}
		if rng.IntN(8) == 0 {
			// Approvals next to ordinary items.
			fmt.Fprintf(&b, "\n**Approved by:**\n- %s: %s\n", roleNames[rng.IntN(len(roleNames))], approvers[rng.IntN(len(approvers))])
		}
		b.WriteString("\n")
	}
	if rng.IntN(4) == 0 {
		// Windows as sections of their own, as go-live runbooks write them.
		for _, w := range pick(rng, []string{"Pre-Go-Live (1 Week Before)", "Go-Live Day", "Post-Go-Live (24 Hours)"}, 1+rng.IntN(3)) {
			section++
			fmt.Fprintf(&b, "## %s\n", w)
			items(3)
		}
		b.WriteString("\n")
	}
	if rng.IntN(2) == 0 {
		section++
		fmt.Fprintf(&b, "## %d. Launch Timeline\n", section)
		for _, w := range pick(rng, windowNames, 1+rng.IntN(4)) {
			fmt.Fprintf(&b, "### %s\n", w)
			items(4)
		}
		b.WriteString("\n")
	}
	if rng.IntN(2) == 0 {
		section++
		fmt.Fprintf(&b, "## %d. Go-Live Criteria\n", section)
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, "**Minimum recommended**: %d%% for production launch\n\n", []int{50, 85, 90, 100}[rng.IntN(4)])
		}
		if len(readiness) > 0 && rng.IntN(2) == 0 {
			b.WriteString("**Required for GO (must be 100%):**\n")
			for _, ref := range pick(rng, readiness, 1+rng.IntN(len(readiness))) {
				fmt.Fprintf(&b, "- [ ] %s\n", ref)
			}
			b.WriteString("\n")
		}
		if rng.IntN(2) == 0 {
			b.WriteString("### Must Have (P0)\n")
			items(3)
		}
		b.WriteString("\n")
	}
	if rng.IntN(2) == 0 {
		section++
		fmt.Fprintf(&b, "## %d. Sign-Off\n**Approved by:**\n", section)
		for _, r := range pick(rng, roleNames, 1+rng.IntN(3)) {
			fmt.Fprintf(&b, "- %s: %s\n", r, approvers[rng.IntN(len(approvers))])
		}
	}
	if n == 0 {
		// The importer refuses a document without items: give it one.
		b.WriteString("## Tasks\n")
		item()
	}
	return b.String()
}

// pick returns up to k distinct elements of from, in their order.
func pick(rng *rand.Rand, from []string, k int) []string {
	idx := rng.Perm(len(from))[:min(k, len(from))]
	slices.Sort(idx)
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

// genModel builds a random checklist model, including shapes the importer
// never makes: gates over empty or missing sections, no gates at all,
// windows without items, every verdict.
func genModel(rng *rand.Rand) *checklist.Checklist {
	c := &checklist.Checklist{Title: "Model"}
	kinds := []checklist.SectionKind{checklist.KindReadiness, checklist.KindWindow, checklist.KindDecision}
	n := 0
	for si := range rng.IntN(5) {
		s := &checklist.Section{Index: si, Title: fmt.Sprintf("S%d", si), Kind: kinds[rng.IntN(len(kinds))]}
		for gi := range rng.IntN(4) {
			g := &checklist.Group{Index: gi, Title: fmt.Sprintf("G%d.%d", si, gi)}
			if rng.IntN(3) == 0 {
				g.Priority = "P0"
			}
			for range rng.IntN(5) {
				n++
				g.Items = append(g.Items, &checklist.Item{Number: n, Text: fmt.Sprint("item ", n), Done: rng.IntN(2) == 0, Priority: g.Priority})
			}
			if s.Kind == checklist.KindWindow {
				w := checklist.Window{Name: g.Title, OffsetMinutes: (rng.IntN(15) - 7) * 24 * 60, Section: si, Group: gi, Items: []int{}}
				for _, it := range g.Items {
					w.Items = append(w.Items, it.Number)
				}
				c.Windows = append(c.Windows, w)
			}
			s.Groups = append(s.Groups, g)
		}
		c.Sections = append(c.Sections, s)
	}
	for range rng.IntN(4) {
		g := checklist.Gate{Name: "gate", Kind: checklist.GateRequired, Threshold: []float64{0, 50, 85, 90, 100}[rng.IntN(5)], Strict: rng.IntN(4) == 0,
			Target: checklist.Target{Section: rng.IntN(len(c.Sections)+2) - 1, Group: rng.IntN(4) - 1}}
		switch rng.IntN(6) {
		case 0:
			g.Target = checklist.Target{Section: -1, Group: -1, Priority: "P0"}
		case 1:
			g.Unresolved, g.Target = true, checklist.Target{Section: -1, Group: -1}
		}
		c.Gates = append(c.Gates, g)
	}
	verdicts := []checklist.Verdict{checklist.VerdictPending, checklist.VerdictApproved, checklist.VerdictConditional, checklist.VerdictRejected, ""}
	for i := range rng.IntN(4) {
		c.Roles = append(c.Roles, &checklist.Role{Name: roleNames[i], Verdict: verdicts[rng.IntN(len(verdicts))], Note: "note"})
	}
	return c
}

func seeded(t *testing.T, run int) *rand.Rand {
	t.Helper()
	return rand.New(rand.NewPCG(uint64(run), 0x601ce))
}

// checkInvariants asserts every invariant that holds for one checklist: the
// report of a tick of each open item, the 100% gates and zero counted.
func checkInvariants(t *testing.T, c *checklist.Checklist) {
	t.Helper()
	r := checklist.Score(c)
	assertNeverWronglyGo(t, c, r)
	open := 0
	for _, it := range c.Items() {
		if it.Done {
			continue
		}
		if open++; open > 30 {
			break // a big checklist: thirty ticks say enough
		}
		it.Done = true
		assertTickNoWorse(t, r, checklist.Score(c), it.Number)
		it.Done = false
	}
}

// assertNeverWronglyGo checks the two GO invariants against membership
// computed here, not by the scorer.
func assertNeverWronglyGo(t *testing.T, c *checklist.Checklist, r checklist.Report) {
	t.Helper()
	counted := countedItems(c)
	goes := r.Decision.Outcome == checklist.OutcomeGo || r.Decision.Outcome == checklist.OutcomeConditional
	if len(counted) == 0 && goes {
		t.Fatalf("%s with no item counted towards readiness: %q", r.Decision.Outcome, r.Decision.Reasons)
	}
	if len(counted) == 0 && !slices.ContainsFunc(r.Decision.Reasons, func(s string) bool { return strings.Contains(s, "nothing counts towards readiness") }) {
		t.Fatalf("nothing counted, and the reasons do not say so: %q", r.Decision.Reasons)
	}
	if len(counted) > 0 && (r.Readiness.Total != len(counted)) {
		t.Fatalf("readiness counts %d items, want %d", r.Readiness.Total, len(counted))
	}
	for _, g := range c.Gates {
		if g.Threshold < 100 || !goes {
			continue
		}
		for _, it := range gateItems(c, g, counted) {
			if !it.Done {
				t.Fatalf("%s with item %d open inside the 100%% gate %q", r.Decision.Outcome, it.Number, g.Name)
			}
		}
		if len(gateItems(c, g, counted)) == 0 {
			t.Fatalf("%s with the gate %q over no items", r.Decision.Outcome, g.Name)
		}
	}
	hasRoles := len(r.Roles) > 0
	for _, reason := range r.Decision.Reasons {
		if strings.HasPrefix(reason, checklist.ReasonAllApproved) && !hasRoles {
			t.Fatalf("%q with no roles", reason)
		}
	}
	if !hasRoles && !slices.Contains(r.Decision.Reasons, checklist.ReasonNoApprovers) {
		t.Fatalf("no roles, and the reasons do not say so: %q", r.Decision.Reasons)
	}
}

// countedItems is what readiness must count: the readiness sections' items,
// or when they hold none, the items of time windows due by launch.
func countedItems(c *checklist.Checklist) map[int]*checklist.Item {
	out := map[int]*checklist.Item{}
	for _, s := range c.Sections {
		if s.Kind != checklist.KindReadiness {
			continue
		}
		for _, g := range s.Groups {
			for _, it := range g.Items {
				if !it.Excluded() {
					out[it.Number] = it
				}
			}
		}
	}
	// The windows due by launch count too when they hold at least as many.
	due := map[int]*checklist.Item{}
	for _, w := range c.Windows {
		if !w.DueByLaunch() || w.Section >= len(c.Sections) || c.Sections[w.Section].Kind != checklist.KindWindow {
			continue
		}
		for _, n := range w.Items {
			if it := c.Item(n); !it.Excluded() {
				due[n] = it
			}
		}
	}
	if len(due) >= len(out) {
		maps.Copy(out, due)
	}
	return out
}

// gateItems lists the items a gate measures.
func gateItems(c *checklist.Checklist, g checklist.Gate, counted map[int]*checklist.Item) []*checklist.Item {
	var out []*checklist.Item
	t := g.Target
	switch {
	case g.Unresolved:
	case t.Priority != "":
		for _, it := range c.Items() {
			if it.Priority == t.Priority && !it.Excluded() {
				out = append(out, it)
			}
		}
	case t.Section < 0:
		for _, it := range counted {
			out = append(out, it)
		}
	case t.Section < len(c.Sections):
		for gi, grp := range c.Sections[t.Section].Groups {
			if t.Group < 0 || t.Group >= len(c.Sections[t.Section].Groups) || t.Group == gi {
				for _, it := range grp.Items {
					if !it.Excluded() {
						out = append(out, it)
					}
				}
			}
		}
	}
	return out
}

// assertTickNoWorse compares the reports before and after ticking one item.
func assertTickNoWorse(t *testing.T, before, after checklist.Report, n int) {
	t.Helper()
	if after.Readiness.Total != before.Readiness.Total || after.Readiness.Done < before.Readiness.Done ||
		after.Readiness.Percent() < before.Readiness.Percent() {
		t.Fatalf("ticking item %d took readiness from %s to %s", n, before.Readiness, after.Readiness)
	}
	for i := range before.Gates {
		if before.Gates[i].Passed && !after.Gates[i].Passed {
			t.Fatalf("ticking item %d made the gate %q fail", n, before.Gates[i].Name)
		}
	}
	if before.Decision.Outcome != checklist.OutcomeNoGo && after.Decision.Outcome != before.Decision.Outcome {
		t.Fatalf("ticking item %d turned %s into %s", n, before.Decision.Outcome, after.Decision.Outcome)
	}
}

func TestDecisionPropertiesOverModels(t *testing.T) {
	for run := range propertyRuns * 5 {
		c := genModel(seeded(t, run))
		t.Run(fmt.Sprint("seed ", run), func(t *testing.T) { checkInvariants(t, c) })
		if t.Failed() {
			return
		}
	}
}

// TestNotApplicableProperties marks random open items not applicable: an
// N/A still awaiting confirmation changes nothing in the report (so it
// never turns an open item into GO), and confirmed ones keep every GO
// invariant with the items they exclude left out.
func TestNotApplicableProperties(t *testing.T) {
	for run := range propertyRuns * 2 {
		rng := seeded(t, run)
		c := genModel(rng)
		t.Run(fmt.Sprint("seed ", run), func(t *testing.T) {
			before, err := json.Marshal(checklist.Score(c))
			if err != nil {
				t.Fatal(err)
			}
			var marked []*checklist.Item
			for _, it := range c.Items() {
				if !it.Done && rng.IntN(3) == 0 {
					it.NA = &checklist.NA{By: "UDANA", Reason: "not in this release"}
					marked = append(marked, it)
				}
			}
			after, err := json.Marshal(checklist.Score(c))
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Fatalf("unconfirmed N/A of %d items changed the report", len(marked))
			}
			for _, it := range marked {
				it.NA.Confirmed = rng.IntN(2) == 0
			}
			checkInvariants(t, c)
		})
		if t.Failed() {
			return
		}
	}
}

func TestDecisionPropertiesOverMarkdown(t *testing.T) {
	for run := range propertyRuns {
		src := genDoc(seeded(t, run))
		ok := t.Run(fmt.Sprint("seed ", run), func(t *testing.T) {
			c, _, err := checklist.Parse([]byte(src))
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, src)
			}
			checkInvariants(t, c)
			assertTicksInTheDocument(t, src, c)
			assertSameReport(t, []byte(src))
		})
		if !ok {
			t.Logf("the document:\n%s", src)
			return
		}
	}
}

// assertTicksInTheDocument ticks each open item in the Markdown itself and
// imports the document again: readiness and the decision never get worse.
func assertTicksInTheDocument(t *testing.T, src string, c *checklist.Checklist) {
	t.Helper()
	before := checklist.Score(c)
	lines := strings.Split(src, "\n")
	ticks := 0
	for _, it := range c.Items() {
		if it.Done || it.Line < 1 || !strings.Contains(lines[it.Line-1], "[ ]") {
			continue
		}
		if ticks++; ticks > 8 {
			break // each tick imports the whole document again: eight say enough
		}
		ticked := slices.Clone(lines)
		ticked[it.Line-1] = strings.Replace(ticked[it.Line-1], "[ ]", "[x]", 1)
		c2, _, err := checklist.Parse([]byte(strings.Join(ticked, "\n")))
		if err != nil {
			t.Fatalf("parse with item %d ticked: %v", it.Number, err)
		}
		if len(c2.Roles) != len(c.Roles) {
			t.Fatalf("ticking item %d changed the roles", it.Number)
		}
		assertTickNoWorse(t, before, checklist.Score(c2), it.Number)
	}
}

// assertSameReport imports src as written, again, with CRLF line endings,
// with a byte-order mark and with trailing spaces: the reports are equal.
func assertSameReport(t *testing.T, src []byte) {
	t.Helper()
	want, ok := reportOf(src)
	variants := map[string][]byte{
		"again":           src,
		"CRLF":            []byte(strings.ReplaceAll(string(src), "\n", "\r\n")),
		"BOM":             append([]byte("\xEF\xBB\xBF"), src...),
		"trailing spaces": []byte(strings.ReplaceAll(string(src), "\n", " \t \n")),
	}
	for name, v := range variants {
		got, gotOK := reportOf(v)
		if gotOK != ok || got != want {
			t.Fatalf("the document %s gives another report:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// reportOf is the JSON report of a document, and whether it imported.
func reportOf(src []byte) (string, bool) {
	c, _, err := checklist.Parse(src)
	if err != nil {
		return err.Error(), false
	}
	b, _ := json.MarshalIndent(checklist.Score(c).JSON(), "", " ")
	return string(b), true
}

// FuzzDecision checks the decision's invariants on any document the
// importer accepts. Its corpus: both seeds, the issue's examples and
// generated checklists.
func FuzzDecision(f *testing.F) {
	for _, name := range []string{"seed000.md", "seed004.md"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, ex := range issueExamples {
		f.Add([]byte(ex.src))
	}
	for run := range 20 {
		f.Add([]byte(genDoc(rand.New(rand.NewPCG(uint64(run), 0xf022)))))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, _, err := checklist.Parse(src)
		if err != nil {
			return
		}
		checkInvariants(t, c)
		assertSameReport(t, src)
	})
}
