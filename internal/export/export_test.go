package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 2, 18, 9, 30, 0, 0, time.UTC)

func seed(t *testing.T, file string) *launch.Launch {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "checklist", "testdata", file))
	require.NoError(t, err)
	c, _, err := checklist.Parse(src)
	require.NoError(t, err)
	return &launch.Launch{ID: 3, TeamID: "T0TEAM", ChannelID: "C0LAUNCH", Name: "Checkout v2", Date: "2026-03-02",
		Timezone: "Europe/Paris", Creator: "U0CREATOR", CreatedAt: now.Add(-72 * time.Hour), Checklist: c}
}

// worked changes a seed launch the way a team would: ticks, an untick, owners,
// a sign-off, role holders and verdicts.
func worked(t *testing.T, l *launch.Launch) *launch.Launch {
	t.Helper()
	items := l.Checklist.Items()
	_, err := l.SetDone(l.Creator, []int{items[len(items)-1].Number, items[len(items)/2].Number}, true, now)
	require.NoError(t, err)
	_, err = l.SetDone(l.Creator, []int{items[0].Number}, false, now)
	require.NoError(t, err)
	_, err = l.SetItemOwner(l.Creator, items[2].Number, "U0DANA")
	require.NoError(t, err)
	for _, s := range l.Checklist.Sections {
		if s.HasSignoff {
			_, err = l.SignOff(l.Creator, s.Title, now)
			require.NoError(t, err)
			break
		}
	}
	require.NotEmpty(t, l.Checklist.Roles)
	first := l.Checklist.Roles[0]
	_, err = l.SetRoleHolder(l.Creator, first.Name, "U0ENG")
	require.NoError(t, err)
	_, err = l.Answer("U0ENG", first.Name, checklist.VerdictApproved, "", now)
	require.NoError(t, err)
	return l
}

func TestJSONHasTheCheckShapeAndTheLaunch(t *testing.T) {
	l := worked(t, seed(t, "seed000.md"))
	out, err := JSON(l, now)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	for _, key := range []string{"title", "readiness", "done", "total", "sections", "gates", "roles", "decision",
		"name", "date", "timezone", "channel", "creator", "items", "days_to_launch"} {
		assert.Contains(t, got, key)
	}
	assert.Equal(t, "Checkout v2", got["name"])
	assert.Equal(t, "C0LAUNCH", got["channel"])
	assert.Equal(t, "NO-GO", got["decision"])
	assert.EqualValues(t, 12, got["days_to_launch"])

	var full Launch
	require.NoError(t, json.Unmarshal(out, &full))
	assert.Len(t, full.Items, len(l.Checklist.Items()))
	it := full.Items[len(full.Items)-1]
	assert.True(t, it.Done)
	assert.Equal(t, "U0CREATOR", it.DoneBy)
	assert.Equal(t, "2026-02-18T09:30:00Z", it.DoneAt)
	assert.Equal(t, "U0DANA", full.Items[2].Owner)
	assert.Equal(t, "Infrastructure", full.Items[0].Section)
	assert.Equal(t, "Containerization", full.Items[0].Group)

	role := full.Roles[0]
	assert.Equal(t, "Engineering Lead", role.Role)
	assert.Equal(t, "U0ENG", role.Holder)
	assert.Equal(t, checklist.VerdictApproved, role.Verdict)
	assert.Equal(t, checklist.VerdictApproved, role.Status)
	assert.Equal(t, "U0ENG", role.By)
	assert.Equal(t, "2026-02-18T09:30:00Z", role.At)
	assert.Equal(t, checklist.VerdictPending, full.Roles[1].Verdict)

	require.NotNil(t, full.Sections[0].Signoff)
	assert.Equal(t, "U0CREATOR", full.Sections[0].Signoff.By)
	require.NotEmpty(t, full.Gates)
	assert.Equal(t, "Overall readiness", full.Gates[0].Name)
}

func TestJSONOfSeed000AsWrittenMatchesCheck(t *testing.T) {
	l := seed(t, "seed000.md")
	out, err := JSON(l, now)
	require.NoError(t, err)
	var full Launch
	require.NoError(t, json.Unmarshal(out, &full))
	assert.Equal(t, 39.2, full.Readiness)
	assert.Equal(t, 78, full.Done)
	assert.Equal(t, 199, full.Total)
	byName := map[string]checklist.GateJSON{}
	for _, g := range full.Gates {
		byName[g.Name] = g
	}
	assert.Equal(t, 59.4, byName["Security"].Value)
	assert.False(t, byName["Security"].Passed)
	assert.Equal(t, 90.5, byName["Infrastructure"].Value)
	assert.True(t, byName["Infrastructure"].Passed)
	assert.Len(t, full.Roles, 4)
	assert.NotContains(t, string(out), `\u003c`, "no HTML escaping in a file people read")
}

func TestCSV(t *testing.T) {
	l := worked(t, seed(t, "seed004.md"))
	l.Checklist.Items()[5].Text = `=HYPERLINK("http://evil"), "quoted", and, commas` + "\nand a line break"
	out, err := CSV(l, now)
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(l.Checklist.Items())+1)
	assert.Equal(t, csvHeader, rows[0])
	for i, it := range l.Checklist.Items() {
		row := rows[i+1]
		assert.Equal(t, strconv.Itoa(it.Number), row[0])
		assert.Equal(t, strconv.FormatBool(it.Done), row[7])
	}
	assert.Equal(t, `'=HYPERLINK("http://evil"), "quoted", and, commas`+"\nand a line break", rows[6][6], "a formula is defused, the rest kept")
	last := rows[len(rows)-1]
	assert.Equal(t, "U0CREATOR", last[9])
	assert.Equal(t, "2026-02-18T09:30:00Z", last[10])
	assert.True(t, bytes.HasSuffix(out, []byte("\r\n")), "RFC 4180 line endings")
}

// shape is what must survive a Markdown round trip.
type shape struct {
	Title    string
	Sections []string
	Items    []string
	Gates    []string
	Roles    []string
	Windows  []string
}

func shapeOf(c *checklist.Checklist) shape {
	var s shape
	s.Title = c.Title
	for _, sec := range c.Sections {
		line := fmt.Sprintf("%d %q %s signoff=%v", sec.Number, sec.Title, sec.Kind, sec.HasSignoff)
		if sec.Signoff != nil {
			line += " signed by " + sec.Signoff.By
		}
		for _, g := range sec.Groups {
			line += fmt.Sprintf(" | %q %s %d", g.Title, g.Priority, len(g.Items))
		}
		s.Sections = append(s.Sections, line)
		for _, g := range sec.Groups {
			for _, it := range g.Items {
				task := it.Task && !it.Done // a done task comes back as a ticked box
				s.Items = append(s.Items, fmt.Sprintf("%d %d/%d %q sub=%q parent=%d depth=%d done=%v task=%v prio=%s details=%q",
					it.Number, sec.Index, g.Index, it.Text, it.Subgroup, it.Parent, it.Depth, it.Done, task, it.Priority, it.Details))
			}
		}
	}
	for _, g := range c.Gates {
		s.Gates = append(s.Gates, fmt.Sprintf("%s %q %v strict=%v %+v unresolved=%v", g.Kind, g.Name, g.Threshold, g.Strict, g.Target, g.Unresolved))
	}
	for _, r := range c.Roles {
		s.Roles = append(s.Roles, fmt.Sprintf("%q %q %s by=%q", r.Name, r.Description, r.Verdict, r.By))
	}
	for _, w := range c.Windows {
		s.Windows = append(s.Windows, fmt.Sprintf("%q %d %d/%d %v", w.Name, w.OffsetMinutes, w.Section, w.Group, w.Items))
	}
	return s
}

// TestMarkdownRoundTrip exports each seed, as written and after work, and
// imports the export again: the same structure and done states come back.
func TestMarkdownRoundTrip(t *testing.T) {
	for _, file := range []string{"seed000.md", "seed004.md"} {
		for name, l := range map[string]*launch.Launch{"as written": seed(t, file), "worked": worked(t, seed(t, file))} {
			t.Run(file+" "+name, func(t *testing.T) {
				md, err := Markdown(l)
				require.NoError(t, err)
				back, _, err := checklist.Parse(md)
				require.NoError(t, err, string(md))
				want, got := shapeOf(l.Checklist), shapeOf(back)
				if r := l.Checklist.Roles[0]; name == "worked" && r.Description != "" {
					// A ticked approval box says who holds the role nowhere:
					// the approval comes back without its author.
					want.Roles[0] = strings.Replace(want.Roles[0], `by="U0ENG"`, `by=""`, 1)
				}
				assert.Equal(t, want.Title, got.Title)
				assert.Equal(t, want.Sections, got.Sections)
				assert.Equal(t, want.Items, got.Items)
				assert.Equal(t, want.Gates, got.Gates)
				assert.Equal(t, want.Roles, got.Roles)
				assert.Equal(t, want.Windows, got.Windows)
				assert.Equal(t, checklist.Score(l.Checklist).Decision.Outcome, checklist.Score(back).Decision.Outcome)
			})
		}
	}
}

func TestMarkdownRoundTripOfAnOddChecklist(t *testing.T) {
	src := strings.Join([]string{
		"- [x] an item before any heading",
		"## Approvals of vendors",
		"- [ ] **Vendor A:** contract signed",
		"## 2. Ops",
		"### Runbooks",
		"1. **Paging**",
		"   - [x] pager set up",
		"     - [ ] escalation tested",
		"2. **Dashboards**",
		"   - [ ] latency",
		"     - Owner: SRE",
		"     - 1. p95 under 1 s",
		"     - # not a heading",
		"",
		"     See [the dashboard](https://grafana/d/1) first.",
		"### Launch Day",
		"- deploy",
		"  - Owner: Ops",
		"- announce",
		"",
		"| Done | Check | Owner |",
		"|---|---|---|",
		"| [x] | Status page | Comms |",
		"### Approvals needed",
		"Ask legal first.",
		"- [ ] **Legal:** contract reviewed",
		"## Criteria",
		"**Critical for GO (should be above 75.5%):**",
		"- [ ] Ops (Section 2)",
		"- [ ] Paging (Section 2 - Runbooks)",
		"**Minimum readiness: at least 60%**",
	}, "\n")
	want, got, md := roundTrip(t, "Odd", src)
	got.Title = want.Title // the export names an untitled checklist after the launch
	assert.Equal(t, want, got, string(md))
}

// roundTrip imports src as the launch named name, exports it as Markdown and
// imports that: the shapes of both checklists, and the Markdown.
func roundTrip(t *testing.T, name, src string) (want, got shape, md []byte) {
	t.Helper()
	c, _, err := checklist.Parse([]byte(src))
	require.NoError(t, err)
	l := &launch.Launch{Name: name, Date: "2026-03-02", Timezone: "UTC", Creator: "U0C", Checklist: c}
	md, err = Markdown(l)
	require.NoError(t, err)
	back, _, err := checklist.Parse(md)
	require.NoError(t, err, string(md))
	return shapeOf(c), shapeOf(back), md
}

// TestMarkdownRoundTripOfWrittenCriteria: criteria written one to a line,
// in a heading and in a sentence, conditions to tick, items tagged P0 and
// roles on one line come back as the same gates, items and roles.
func TestMarkdownRoundTripOfWrittenCriteria(t *testing.T) {
	src := strings.Join([]string{
		"# Checkout",
		"## Security — BLOCKER",
		"- [x] Threat model",
		"- [ ] [P0] Rotate keys",
		"## Infra (must be 100%)",
		"- [x] Terraform",
		"- [ ] Runbook",
		"  - Priority: P1",
		"## Exit Criteria",
		"- ≥ 50% of P1 items closed",
		"- No Sev-1 incidents in the last 14 days",
		"## Go/No-Go",
		"We go if all blockers are done and readiness ≥ 90%.",
		"Approvers: SRE Lead, Security Lead",
	}, "\n")
	want, got, md := roundTrip(t, "Checkout", src)
	assert.Equal(t, want.Gates, got.Gates, string(md))
	assert.Equal(t, want.Items, got.Items, string(md))
	assert.Equal(t, want.Roles, got.Roles, string(md))
	assert.Len(t, want.Gates, 6, "overall 90%, blockers, Infra, P1, the exit condition and P0")
}

func TestExportsCarryWaivers(t *testing.T) {
	l := worked(t, seed(t, "seed004.md"))
	it := l.Checklist.Items()[0]
	require.False(t, it.Done)
	_, _, err := l.Waive("U0ENG", it.Number, "2026-02-20", "Vendor fix lands on the 20th", now)
	require.NoError(t, err)

	full := Build(l, now)
	require.NotNil(t, full.Items[0].Waiver)
	assert.Equal(t, Waiver{By: "U0ENG", Until: "2026-02-20", Reason: "Vendor fix lands on the 20th", At: timestamp(now), Counts: true}, *full.Items[0].Waiver)
	lapsed := Build(l, now.AddDate(0, 0, 3))
	assert.False(t, lapsed.Items[0].Waiver.Counts, "kept, no longer counting, once its date has passed")

	out, err := CSV(l, now)
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(t, err)
	w := slices.Index(csvHeader, "waived_until")
	assert.Equal(t, []string{"waived_until", "waived_by", "waiver_reason"}, rows[0][w:w+3])
	assert.Equal(t, []string{"2026-02-20", "U0ENG", "Vendor fix lands on the 20th"}, rows[1][w:w+3])
	assert.Equal(t, []string{"", "", ""}, rows[2][w:w+3])
}

func TestExportsCarryEvidence(t *testing.T) {
	l := worked(t, seed(t, "seed004.md"))
	it := l.Checklist.Items()[0]
	ran := now.Add(-time.Hour)
	_, err := l.RecordEvidence("token:ci", it.Number, launch.Report{Pass: true, Summary: "k6: p95 180 ms", URL: "https://ci.example.com/run/381", At: ran}, now)
	require.NoError(t, err)

	full := Build(l, now)
	require.NotNil(t, full.Items[0].Evidence)
	assert.Equal(t, Evidence{Status: "pass", Summary: "k6: p95 180 ms", URL: "https://ci.example.com/run/381",
		At: timestamp(ran), By: "token:ci", ReceivedAt: timestamp(now)}, *full.Items[0].Evidence)
	assert.True(t, full.Items[0].Done)

	out, err := CSV(l, now)
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(t, err)
	e := slices.Index(csvHeader, "evidence")
	assert.Equal(t, []string{"pass", "k6: p95 180 ms", "https://ci.example.com/run/381", timestamp(ran), "token:ci"}, rows[1][e:e+5])
	assert.Equal(t, []string{"", "", "", "", ""}, rows[2][e:e+5])

	it.Fresh = 24 * time.Hour
	full = Build(l, now)
	assert.Equal(t, "24h", full.Items[0].Fresh)
	assert.False(t, full.Items[0].Stale)
	assert.True(t, Build(l, ran.Add(25*time.Hour)).Items[0].Stale, "verified 25 hours before")

	// The CSV says the freshness too: required, when verified, whether stale.
	out, err = CSV(l, ran.Add(25*time.Hour))
	require.NoError(t, err)
	rows, err = csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(t, err)
	f := slices.Index(csvHeader, "fresh")
	assert.Equal(t, []string{"24h", timestamp(ran), "true"}, rows[1][f:f+3])
	assert.Equal(t, []string{"", "", "false"}, rows[2][f:f+3])

	md, err := Markdown(l)
	require.NoError(t, err)
	assert.Contains(t, string(md), "<!-- golive: fresh within 24h -->")
	assert.Contains(t, string(md), "<!-- golive: evidence pass (by token:ci at "+timestamp(ran)+"): k6: p95 180 ms https://ci.example.com/run/381 -->")
}

// live marks items of a worked launch the way a team does during a launch:
// due dates, N/A (confirmed and pending), a waiver, notes, a removal. Notes
// try to break out of the comment they are exported in.
func live(t *testing.T, l *launch.Launch) *launch.Launch {
	t.Helper()
	items := l.Checklist.Items()
	c := l.Creator
	_, _, err := l.SetDue(c, items[6].Number, "2026-02-25", now)
	require.NoError(t, err)
	for _, n := range []int{items[5].Number, items[7].Number} {
		_, _, err = l.SetNA(c, n, "no such component --> here", now)
		require.NoError(t, err)
	}
	_, err = l.AddNote(c, items[4].Number, "https://ci.example.com/run/1", now)
	require.NoError(t, err)
	_, err = l.AddNote(c, items[4].Number, "done --> - [ ] injected item\n## Injected section <!-- x", now.Add(time.Minute))
	require.NoError(t, err)
	_, _, err = l.RemoveItem(c, items[3].Number, "not for this launch", now)
	require.NoError(t, err)
	return l
}

// TestMarkdownCarriesLiveEditsAsComments: due dates, N/A marks and notes
// follow their item as HTML comments, which the importer ignores: the file
// imports into the same items, and imported back into its launch as an
// update, it exports the same file again.
func TestMarkdownCarriesLiveEditsAsComments(t *testing.T) {
	for _, file := range []string{"seed000.md", "seed004.md"} {
		t.Run(file, func(t *testing.T) {
			l := worked(t, seed(t, file))
			items := l.Checklist.Items()
			live(t, l)
			md, err := Markdown(l)
			require.NoError(t, err)
			text := string(md)
			assert.Contains(t, text, "<!-- golive: due 2026-02-25 -->")
			assert.Contains(t, text, "<!-- golive: note (by U0CREATOR at 2026-02-18T09:30:00Z): https://ci.example.com/run/1 -->")
			assert.Contains(t, text, "<!-- golive: note (by U0CREATOR at 2026-02-18T09:31:00Z): done - -> - [ ] injected item ## Injected section <!- - x -->",
				"one comment on one line, which a note cannot end")
			na := l.Checklist.Item(items[5].Number).NA
			state := "not confirmed yet"
			if na.Confirmed {
				state = "confirmed"
			}
			assert.Contains(t, text, "<!-- golive: not applicable (by U0CREATOR at 2026-02-18T09:30:00Z, "+state+"): no such component - -> here -->")

			back, _, err := checklist.Parse(md)
			require.NoError(t, err, text)
			var without []string
			for _, line := range strings.Split(text, "\n") {
				if !strings.Contains(line, "<!-- golive: ") {
					without = append(without, line)
				}
			}
			plain, _, err := checklist.Parse([]byte(strings.Join(without, "\n")))
			require.NoError(t, err)
			assert.Equal(t, shapeOf(plain), shapeOf(back), "the comments change nothing the importer reads")
			assert.NotContains(t, fmt.Sprint(shapeOf(back)), "injected", "nothing of a note is read")

			_, _, err = l.UpdateChecklist(l.Creator, back, now)
			require.NoError(t, err)
			again, err := Markdown(l)
			require.NoError(t, err)
			assert.Equal(t, text, string(again), "the round trip gives the same file")
		})
	}
}

// TestCSVHasLiveEdits: due dates and N/A marks have columns of their own,
// beside the notes and the removed items.
func TestCSVHasLiveEdits(t *testing.T) {
	l := worked(t, seed(t, "seed000.md"))
	items := l.Checklist.Items()
	live(t, l)
	out, err := CSV(l, now)
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byNumber := map[string][]string{}
	for _, r := range rows[1:] {
		byNumber[r[0]+r[col["removed"]]] = r
	}
	due := byNumber[strconv.Itoa(items[6].Number)+"false"]
	assert.Equal(t, "2026-02-25", due[col["due"]])
	na := byNumber[strconv.Itoa(items[5].Number)+"false"]
	it := l.Checklist.Item(items[5].Number)
	assert.Equal(t, []string{"true", "U0CREATOR", "no such component --> here", "2026-02-18T09:30:00Z", strconv.FormatBool(it.NA.Confirmed), it.NA.ConfirmedBy},
		[]string{na[col["na"]], na[col["na_by"]], na[col["na_reason"]], na[col["na_at"]], na[col["na_confirmed"]], na[col["na_confirmed_by"]]})
	assert.Equal(t, "false", byNumber[strconv.Itoa(items[0].Number)+"false"][col["na"]])
	noted := byNumber[strconv.Itoa(items[4].Number)+"false"]
	assert.Equal(t, "https://ci.example.com/run/1 (U0CREATOR 2026-02-18T09:30:00Z)\ndone --> - [ ] injected item\n## Injected section <!-- x (U0CREATOR 2026-02-18T09:31:00Z)", noted[col["notes"]])
	removed := byNumber[strconv.Itoa(items[3].Number)+"true"]
	require.NotNil(t, removed, "the removed item has its row")
	assert.Equal(t, []string{"U0CREATOR", "2026-02-18T09:30:00Z", "not for this launch"},
		[]string{removed[col["removed_by"]], removed[col["removed_at"]], removed[col["removed_reason"]]})
	assert.Equal(t, items[3].Text, removed[col["text"]])
	assert.NotEmpty(t, removed[col["section"]])
}

func TestExportsCarryProbes(t *testing.T) {
	l := worked(t, seed(t, "seed004.md"))
	it := l.Checklist.Items()[0]
	p, err := checklist.ParseProbe("tls api.example.com min_days=30")
	require.NoError(t, err)
	it.Probe = p

	assert.Equal(t, "tls api.example.com:443 min_days=30", Build(l, now).Items[0].Probe)
	out, err := CSV(l, now)
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, "tls api.example.com:443 min_days=30", rows[1][slices.Index(csvHeader, "probe")])

	md, err := Markdown(l)
	require.NoError(t, err)
	assert.Contains(t, string(md), it.Text+" <!-- golive: tls api.example.com:443 min_days=30 -->\n")
	back, _, err := checklist.Parse(md)
	require.NoError(t, err)
	require.NotNil(t, back.Items()[0].Probe, "the probe survives the round trip")
	assert.Equal(t, *p, *back.Items()[0].Probe)
	assert.Equal(t, it.Text, back.Items()[0].Text)
}
