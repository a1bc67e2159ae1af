package render

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the instant every test renders at: 12 days before the launch.
var fixedNow = time.Date(2026, 2, 18, 9, 30, 0, 0, time.UTC)

// testTOD is the reminder time status renders windows with.
var testTOD = schedule.TimeOfDay{Hour: 9}

// golden compares v, marshalled as indented JSON, with testdata/<name>.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./bot/render -update to create %s", path)
	require.JSONEq(t, string(want), string(got))
}

// seedLaunch parses a seed checklist from internal/checklist/testdata into a
// launch with fixed metadata.
func seedLaunch(t testing.TB, file string) *launch.Launch {
	t.Helper()
	c, _, err := checklist.Parse(readSeed(t, file))
	require.NoError(t, err)
	return &launch.Launch{
		ID: 7, TeamID: "T0TEAM", ChannelID: "C0LAUNCH", Name: "Realtor AI Copilot",
		Date: "2026-03-02", Timezone: "Europe/Paris", Creator: "U0CREATOR", Template: "seed000",
		CreatedAt: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC), Checklist: c,
	}
}

func readSeed(t testing.TB, file string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "checklist", "testdata", file))
	require.NoError(t, err)
	return src
}

// peopleSeed000 gives the seed 000 launch owners, role holders and verdicts,
// so that every kind of line shows up in the goldens.
func peopleSeed000(t testing.TB, l *launch.Launch) {
	t.Helper()
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	sec.Owner = "U0DANA"
	sec.Groups[0].Items[5].Owner = "U0SAM"
	sec.Groups[1].Owner = "U0SAM"
	require.NotNil(t, l.Checklist.Role("Security Lead"))
	for name, holder := range map[string]string{"Engineering Lead": "U0ENG", "Security Lead": "U0DANA", "Product Manager": "U0PM"} {
		_, err := l.SetRoleHolder(l.Creator, name, holder)
		require.NoError(t, err)
	}
	at := fixedNow.Add(-24 * time.Hour)
	_, err = l.Answer("U0DANA", "Security Lead", checklist.VerdictRejected, "Secrets still in <!channel> env files & no WAF", at)
	require.NoError(t, err)
	_, err = l.Answer("U0ENG", "Engineering Lead", checklist.VerdictConditional, "Load test before GA", at)
	require.NoError(t, err)
	_, err = l.SetDone("U0CREATOR", []int{sec.Groups[3].Items[1].Number}, true, at)
	require.NoError(t, err)
}

// generated builds a launch of sections × groups × items with texts of
// textLen characters, every third item done and every fourth owned, some
// nested, some in sub-groups.
func generated(sections, groups, items, textLen int) *launch.Launch {
	c := &checklist.Checklist{Title: "Generated"}
	n := 0
	for s := range sections {
		sec := &checklist.Section{Index: s, Number: s + 1, Title: fmt.Sprintf("Section %d %s", s+1, strings.Repeat("long title ", 20)),
			Kind: checklist.KindReadiness, HasSignoff: s%2 == 0}
		for g := range groups {
			grp := &checklist.Group{Index: g, Title: fmt.Sprintf("Group %d.%d <!here> & co", s+1, g+1), Owner: "U0OWNER"}
			for i := range items {
				n++
				text := fmt.Sprintf("Item %d <@U123> <http://evil|x> & ", n)
				text += strings.Repeat("x", max(textLen-len(text), 0))
				it := &checklist.Item{Number: n, Text: text, Done: n%3 == 0}
				if n%4 == 0 {
					it.Owner = "U0OWNER" + fmt.Sprint(n%7)
				}
				if i%5 == 4 {
					it.Depth, it.Parent = 1, n-1
				}
				if i >= items/2 {
					it.Subgroup = "Second half"
				}
				grp.Items = append(grp.Items, it)
			}
			sec.Groups = append(sec.Groups, grp)
		}
		c.Sections = append(c.Sections, sec)
	}
	c.Gates = []checklist.Gate{{Name: "Overall readiness", Kind: checklist.GateOverall, Threshold: 85, Target: checklist.Target{Section: -1, Group: -1}}}
	for r := range 6 {
		c.Roles = append(c.Roles, &checklist.Role{Name: fmt.Sprintf("Role %d %s", r, strings.Repeat("r", 80)), Holder: "U0OWNER", Verdict: checklist.VerdictPending})
	}
	return &launch.Launch{ID: 9, TeamID: "T0TEAM", ChannelID: "C0BIG", Name: strings.Repeat("Big launch ", 30),
		Date: "2026-03-02", Timezone: "UTC", Creator: "U0CREATOR", Checklist: c}
}
