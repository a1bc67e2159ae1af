package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

var seed000 = filepath.Join("..", "..", "internal", "checklist", "testdata", "seed000.md")

func check(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = runCheck(args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestCheckSeed000Text(t *testing.T) {
	code, out, errOut := check(seed000)
	assert.Equal(t, 1, code, "NO-GO exits 1")
	assert.Empty(t, errOut)
	for _, want := range []string{
		"Production Readiness Checklist\nReadiness: 78/199 = 39.2%\n",
		"  Infrastructure                      19/21   90.5%\n",
		"      Health Checks                     5/5  100.0%\n",
		"  Pre-Launch Tasks                     0/32    0.0%  time windows, not counted\n",
		"  FAIL  Overall readiness           39.2%  needs ≥ 85%   78/199  every readiness section (overall)\n",
		"  PASS  Infrastructure              90.5%  needs > 90%    19/21  Infrastructure (critical)\n",
		"  FAIL  Disaster Recovery backups    0.0%  needs ≥ 100%     0/6  Disaster Recovery › Backup & Recovery (required)\n",
		"  Engineering Lead  pending\n",
		"Decision: NO-GO\n  - Overall readiness: 78/199 = 39.2%, needs ≥ 85%: failing\n",
		"  - Operations Lead has not approved yet\n",
		"Skipped, line 400: **Decision:** [ ] GO  [ ] NO-GO: the launch decision is computed",
	} {
		assert.Contains(t, out, want)
	}
}

// checkOutput is the JSON shape the issue asks of `golive check --json`.
type checkOutput struct {
	Title     string  `json:"title"`
	Readiness float64 `json:"readiness"`
	Done      int     `json:"done"`
	Total     int     `json:"total"`
	Sections  []struct {
		Title  string `json:"title"`
		Done   int    `json:"done"`
		Total  int    `json:"total"`
		Groups []struct {
			Title string `json:"title"`
			Done  int    `json:"done"`
			Total int    `json:"total"`
		} `json:"groups"`
	} `json:"sections"`
	Gates []struct {
		Name      string  `json:"name"`
		Kind      string  `json:"kind"`
		Value     float64 `json:"value"`
		Threshold float64 `json:"threshold"`
		Passed    bool    `json:"passed"`
	} `json:"gates"`
	Roles []struct {
		Role   string `json:"role"`
		Status string `json:"status"`
	} `json:"roles"`
	Decision   string   `json:"decision"`
	Reasons    []string `json:"reasons"`
	Skipped    []any    `json:"skipped"`
	Unresolved []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"unresolved"`
	Windows []windowOutput `json:"windows"`
}

type windowOutput struct {
	Title         string `json:"title"`
	OffsetMinutes int    `json:"offset_minutes"`
	Items         []int  `json:"items"`
}

func decodeCheck(t *testing.T, out string) checkOutput {
	t.Helper()
	var doc checkOutput
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(&doc))
	assert.False(t, dec.More(), "one JSON object")
	return doc
}

func TestCheckSeed000JSON(t *testing.T) {
	for _, args := range [][]string{{"--json", seed000}, {seed000, "--json"}, {"-json", seed000}} {
		code, out, errOut := check(args...)
		assert.Equal(t, 1, code)
		assert.Empty(t, errOut)
		doc := decodeCheck(t, out)
		assert.Equal(t, "Production Readiness Checklist", doc.Title)
		assert.Equal(t, 39.2, doc.Readiness)
		assert.Equal(t, 78, doc.Done)
		assert.Equal(t, 199, doc.Total)
		assert.Equal(t, "NO-GO", doc.Decision)
		require.Len(t, doc.Sections, 12, "the trailing appendix holds no item")
		assert.Equal(t, "Security", doc.Sections[1].Title)
		assert.Equal(t, 19, doc.Sections[1].Done)
		assert.Equal(t, 32, doc.Sections[1].Total)
		assert.Equal(t, "Authentication & Authorization", doc.Sections[1].Groups[0].Title)
		passed := map[string]bool{}
		for _, g := range doc.Gates {
			passed[g.Name] = g.Passed
		}
		assert.Equal(t, map[string]bool{
			"Overall readiness": false, "Security": false, "Health Checks": true, "Core Features": true,
			"Disaster Recovery backups": false, "Infrastructure": true, "Monitoring": false, "Documentation": false,
		}, passed)
		assert.Equal(t, "critical", doc.Gates[5].Kind)
		assert.Equal(t, 90.5, doc.Gates[5].Value)
		assert.Equal(t, 90.0, doc.Gates[5].Threshold)
		require.Len(t, doc.Roles, 4)
		for _, r := range doc.Roles {
			assert.Equal(t, "pending", r.Status)
		}
		assert.Len(t, doc.Reasons, 9)
		assert.Len(t, doc.Skipped, 2, "the decision boxes and the item-less appendix")
		assert.Empty(t, doc.Unresolved)
		assert.Contains(t, out, `"Backup & Recovery"`, "no HTML escaping in the JSON")
		var offsets []string
		for _, w := range doc.Windows {
			offsets = append(offsets, fmt.Sprintf("%s %d (%d items)", w.Title, w.OffsetMinutes, len(w.Items)))
		}
		assert.Equal(t, []string{"1 Week Before Launch -10080 (7 items)", "3 Days Before Launch -4320 (6 items)",
			"1 Day Before Launch -1440 (6 items)", "Launch Day 0 (7 items)", "1 Day After Launch 1440 (6 items)",
			"First 24 Hours 60 (7 items)", "First Week 1440 (7 items)", "First Month 10080 (7 items)"}, offsets)
	}
}

// TestCheckListsWindowsInHours: windows written in hours, days and weeks,
// before and after launch, at any heading level, with their offsets in
// minutes; "T-4 Hours" is four hours, not four days.
func TestCheckListsWindowsInHours(t *testing.T) {
	path := writeFile(t, "cutover.md", `# Cutover
## Readiness
- [x] Runbook reviewed
## Cutover
### T-1 week
- [ ] Announce the maintenance
### D-1
- [ ] Freeze deploys
### T-4 Hours
- [ ] Snapshot the database
### T-2h
- [ ] Drain the queue
### Go-Live Day
- [ ] Flip DNS
### T+1 Hour
- [ ] Check error rates
### Post-Go-Live (24 Hours)
- [ ] Review the dashboards
`)
	code, out, errOut := check("--json", path)
	require.Empty(t, errOut)
	assert.Contains(t, []int{0, 1}, code)
	assert.Equal(t, []windowOutput{{"T-1 week", -10080, []int{2}}, {"D-1", -1440, []int{3}}, {"T-4 Hours", -240, []int{4}},
		{"T-2h", -120, []int{5}}, {"Go-Live Day", 0, []int{6}}, {"T+1 Hour", 60, []int{7}}, {"Post-Go-Live (24 Hours)", 1440, []int{8}}},
		decodeCheck(t, out).Windows)
}

func TestCheckOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		code     int
		decision string
	}{
		{"GO", "# Ready\n## Work\n- [x] a\n- [x] b\n## Sign-Off\n**Approved by:**\n- Lead: Dana\n", 0, "GO"},
		{"PENDING", "# Almost\n## Work\n- [x] a\n## Sign-Off\n**Approved by:**\n- Lead: ____\n", 1, "PENDING"},
		{"NO-GO", "# Not yet\n## Work\n- [x] a\n- [ ] b\n", 1, "NO-GO"},
		{"unresolved reference", "## Work\n- [x] a\n## Go/No-Go\n**Required for GO (100%):**\n- Billing (Section 7)\n", 1, "NO-GO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "list.md", tt.src)
			code, out, errOut := check(path)
			assert.Equal(t, tt.code, code)
			assert.Empty(t, errOut)
			assert.Contains(t, out, "Decision: "+tt.decision+"\n")

			code, out, _ = check("--json", path)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.decision, decodeCheck(t, out).Decision)
		})
	}
	path := writeFile(t, "list.md", tests[3].src)
	_, out, _ := check(path)
	assert.Contains(t, out, "FAIL  Billing            not found  needs ≥ 100%")
	assert.Contains(t, out, "Unresolved, line 5: - Billing (Section 7): there is no section 7")
	_, out, _ = check("--json", path)
	doc := decodeCheck(t, out)
	require.Len(t, doc.Unresolved, 1)
	assert.Equal(t, 5, doc.Unresolved[0].Line)
}

func TestCheckExitStatus(t *testing.T) {
	for outcome, want := range map[checklist.Outcome]int{
		checklist.OutcomeGo: 0, checklist.OutcomeConditional: 0, checklist.OutcomeNoGo: 1, checklist.OutcomePending: 1,
	} {
		assert.Equal(t, want, exitStatus(outcome), outcome)
	}
}

func TestCheckTemplates(t *testing.T) {
	code, out, errOut := check("--template", "web")
	assert.Equal(t, 1, code)
	assert.Empty(t, errOut)
	assert.Contains(t, out, "Readiness: 0/199 = 0.0%\n")

	code, out, _ = check("--json", "--template=enterprise")
	assert.Equal(t, 1, code)
	doc := decodeCheck(t, out)
	assert.Equal(t, "NO-GO", doc.Decision)
	assert.Len(t, doc.Roles, 5)
}

func TestCheckUnusableInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"missing file", []string{filepath.Join(dir, "nope.md")}, "nope.md: no such file"},
		{"a web address", []string{"https://wiki.example.com/checklist.md"}, "https://wiki.example.com/checklist.md: no such file: " +
			"golive reads a file on this machine, or standard input for -; for a checklist on the web, download it first, or pipe it: curl -fsSL URL | golive check -"},
		{"a directory", []string{dir}, ": is a directory, not a checklist file"},
		{"empty file", []string{writeFile(t, "empty.md", "")}, "empty.md: the checklist is empty"},
		{"no list", []string{writeFile(t, "prose.md", "# Notes\nJust prose.\n")}, `prose.md: the checklist has no items: write each item as a Markdown checkbox, "- [ ] text"`},
		{"binary junk", []string{writeFile(t, "logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}, "logo.png: the checklist is not text: it holds NUL bytes"},
		{"too large", []string{writeFile(t, "huge.md", strings.Repeat("- [ ] item\n", 1_000_000))}, "huge.md: the checklist is too large: it is 10.5 MB and golive reads checklists up to 10.0 MB"},
		{"one byte too large", []string{writeFile(t, "over.md", strings.Repeat("x", checklist.MaxSize+1))},
			"over.md: the checklist is too large: it is 10 485 761 bytes and golive reads checklists up to 10 485 760 bytes (10.0 MB)"},
		{"unknown template", []string{"--template", "mobile"}, `no such template "mobile": choose one of web, enterprise`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := check(tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.msg)
			assert.True(t, strings.HasPrefix(errOut, "golive check: "), errOut)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
}

// TestCheckListItems: a release checklist written as a numbered list is
// refused with exit 2, the number of list items, the option that imports
// them and the lines skipped; with --list-items it is scored.
func TestCheckListItems(t *testing.T) {
	file := writeFile(t, "release.md", "# Release\n1. Tag the release\n2. Build the images\n   - push them\n3. Announce it\n")
	code, out, errOut := check(file)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `the checklist has no items: it has no checkboxes ("- [ ] text") but 4 list items`)
	assert.Contains(t, errOut, "golive check --list-items "+file+"\n")
	assert.Contains(t, errOut, `Skipped (line 2): "1. Tag the release": a list item without a checkbox`)
	assert.Contains(t, errOut, `Skipped (line 5): "3. Announce it"`)

	code, out, errOut = check("--list-items", "--json", file)
	assert.Equal(t, 1, code)
	assert.Empty(t, errOut)
	doc := decodeCheck(t, out)
	assert.Equal(t, 0, doc.Done)
	assert.Equal(t, 4, doc.Total, "nested list items are items too")
	assert.Equal(t, "NO-GO", doc.Decision)
}

// TestCheckReadsCRLFAndBOM scores seed 000 saved by a Windows editor, with
// CRLF line endings and a byte-order mark: the figures do not change.
func TestCheckReadsCRLFAndBOM(t *testing.T) {
	src, err := os.ReadFile(seed000)
	require.NoError(t, err)
	windows := "\xEF\xBB\xBF" + strings.ReplaceAll(string(src), "\n", "\r\n")
	code, out, errOut := check("--json", writeFile(t, "seed000-windows.md", windows))
	assert.Equal(t, 1, code)
	assert.Empty(t, errOut)
	doc := decodeCheck(t, out)
	assert.Equal(t, "Production Readiness Checklist", doc.Title)
	assert.Equal(t, 78, doc.Done)
	assert.Equal(t, 199, doc.Total)
	assert.Equal(t, 39.2, doc.Readiness)
	assert.Equal(t, "NO-GO", doc.Decision)
	assert.Len(t, doc.Skipped, 2, "the decision boxes and the item-less appendix")
}

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"a.md", "b.md"}, {"--template", "web", seed000}, {"--nope", seed000}} {
		code, out, errOut := check(args...)
		assert.Equal(t, 2, code, "%q", args)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "Usage: golive check [--json] [--list-items] FILE")
	}
	code, out, errOut := check("-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Usage: golive check", "help asked for goes to stdout")
	assert.Empty(t, errOut)
}

// TestCheckReadsStandardInput: FILE "-" is standard input, as for cat.
func TestCheckReadsStandardInput(t *testing.T) {
	src, err := os.ReadFile(seed000)
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	code := runCheck([]string{"--json", "-"}, bytes.NewReader(src), &out, &errOut)
	assert.Equal(t, 1, code, errOut.String())
	assert.Empty(t, errOut.String())
	doc := decodeCheck(t, out.String())
	assert.Equal(t, "Production Readiness Checklist", doc.Title)
	assert.Equal(t, 78, doc.Done)

	out.Reset()
	code = runCheck([]string{"-"}, strings.NewReader(""), &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Equal(t, "golive check: standard input: the checklist is empty\n", errOut.String())

	// A stream is not read past the limit, so its size is not known.
	errOut.Reset()
	code = runCheck([]string{"-"}, io.LimitReader(neverEnding('x'), 3*checklist.MaxSize), &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Equal(t, "golive check: standard input: the checklist is too large: it is over 10.0 MB, the most golive reads\n", errOut.String())
	assert.Empty(t, out.String())
}

// neverEnding is an endless stream of one byte.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
