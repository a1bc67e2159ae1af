package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store/pgtest"
)

// t0 is a fixed instant with millisecond precision, as the store keeps them.
var t0 = time.Date(2026, 11, 20, 9, 30, 15, 123_000_000, time.UTC)

// openStore opens a store on a fresh database whose clock is fixed at t0:
// an SQLite file, or, with GOLIVE_TEST_STORE=postgres (make test runs the
// package both ways), a PostgreSQL database. path is the file or the URL.
func openStore(tb testing.TB) (s *Store, path string) {
	tb.Helper()
	path = filepath.Join(tb.TempDir(), "golive.db")
	if onPostgres() {
		path = pgtest.URL(tb)
	}
	s, err := Open(context.Background(), path)
	require.NoError(tb, err)
	s.Now = func() time.Time { return t0 }
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s, path
}

// onPostgres tells whether this run of the tests is on PostgreSQL.
func onPostgres() bool { return os.Getenv("GOLIVE_TEST_STORE") == "postgres" }

// sqliteOnly skips a test of what only SQLite has (its file, pragmas,
// busy lock, online backup) on the PostgreSQL run.
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if onPostgres() {
		tb.Skip("tests SQLite itself: not run on PostgreSQL")
	}
}

// openBackend opens a store on a fresh database of backend, "sqlite" or
// "postgres", with the real clock.
func openBackend(tb testing.TB, backend string) *Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "golive.db")
	if backend == "postgres" {
		path = pgtest.URL(tb)
	}
	s, err := Open(context.Background(), path)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

// fullLaunch is a small launch with every field of the model set somewhere,
// so that a round trip shows each one is stored.
func fullLaunch(channel string) *launch.Launch {
	at := t0.Add(-time.Hour)
	return &launch.Launch{
		TeamID: "T1", ChannelID: channel, Name: "Checkout v2",
		Date: "2026-12-01", Time: "14:30", Timezone: "Europe/Paris", Creator: "UCREATOR", Template: "web",
		DatedAt: at, RemindersOff: true, ReviewDate: "2026-12-08", ApprovalsAsked: at,
		Announced: &launch.Announcement{Outcome: checklist.OutcomeConditional, At: at, By: "UCREATOR", Fingerprint: "f1"},
		Removed:   []launch.RemovedItem{{Number: 7, Section: "Infrastructure", Text: "Old check", Done: true, By: "UCREATOR", At: at, Reason: "obsolete"}},
		LastItem:  7,
		Checklist: &checklist.Checklist{
			Title: "Production Readiness Checklist",
			Sections: []*checklist.Section{
				{
					Index: 0, Number: 1, Title: "Infrastructure", Kind: checklist.KindReadiness, Owner: "USECOWNER",
					HasSignoff: true, Signoff: &checklist.Signoff{By: "USECOWNER", At: at, OpenItems: 1},
					Groups: []*checklist.Group{
						{Index: 0, Title: "Containerization", Owner: "UGROUP", Priority: "P0", Items: []*checklist.Item{
							{Number: 1, Text: "Dockerfile builds", Done: true, DoneBy: "UALICE", DoneAt: at, Owner: "UALICE",
								Note: "https://ci.example.com/1", Priority: "P0", Line: 5},
							{Number: 2, Text: "Image scanned", Parent: 1, Depth: 1, Subgroup: "Images", Priority: "P0", Line: 6,
								Details: "Owner: [Security Team]\nScanner: https://scan.example.com",
								Waiver:  &checklist.Waiver{By: "UBOB", Until: "2026-12-05", Reason: "scanner licence renews after launch", At: at, Noticed: true}},
						}},
						{Index: 1, Title: "", Items: []*checklist.Item{{Number: 3, Text: "Health probe", Line: 9,
							Notes: []checklist.Note{{By: "UALICE", At: at, Text: "https://grafana.example.com/d/1"}}, Due: "2026-12-01",
							NA:    &checklist.NA{By: "UALICE", Reason: "no such service", At: at, Confirmed: true, ConfirmedBy: "UBOB"},
							Probe: &checklist.Probe{Kind: checklist.ProbeDNS, Target: "example.com", Type: "TXT", Value: "v=spf1"}}}},
					},
				},
				{
					Index: 1, Number: 10, Title: "Pre-Launch Tasks", Kind: checklist.KindWindow,
					Groups: []*checklist.Group{
						{Index: 0, Title: "1 Week Before Launch", Window: &checklist.WindowSpec{OffsetMinutes: -7 * 1440}, Items: []*checklist.Item{
							{Number: 4, Text: "Freeze features", Task: true, Line: 14,
								Evidence: &checklist.Evidence{Pass: true, Summary: "k6: p95 180 ms", URL: "https://ci.example.com/run/381", At: at, By: "token:ci", Received: at, Value: "180ms"}, Fresh: 24 * time.Hour,
								Probe: &checklist.Probe{Kind: checklist.ProbeTLS, Target: "api.example.com:443", MinDays: 30}},
							{Number: 5, Text: "Tell support", Task: true, Line: 15,
								Probe: &checklist.Probe{Kind: checklist.ProbeHTTP, Target: "https://support.example.com/status", Status: 200, MaxMS: 800, Contains: "all good"}},
						}},
						{Index: 1, Title: "Launch Day", Window: &checklist.WindowSpec{OffsetMinutes: 0}, Items: []*checklist.Item{
							{Number: 6, Text: "Flip the flag", Task: true, Line: 18,
								Probe: &checklist.Probe{Kind: checklist.ProbePrometheus, Target: "http://prom.example.com:9090", Query: "sum(rate(errors[5m]))", Op: "<", Threshold: 0.01}},
						}},
					},
				},
				{Index: 2, Number: 11, Title: "Launch Readiness Assessment", Kind: checklist.KindDecision},
			},
			Gates: []checklist.Gate{
				{Name: "Overall readiness", Kind: checklist.GateOverall, Threshold: 85, Target: checklist.Target{Section: -1, Group: -1}, Source: "Overall: 85%"},
				{Name: "Containerization", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: 0}},
				{Name: "Health Checks", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: -1, Group: -1}, Unresolved: true},
				{Name: "Infrastructure", Kind: checklist.GateCritical, Threshold: 90, Strict: true, Target: checklist.Target{Section: 0, Group: -1}},
				{Name: "P0 items", Kind: checklist.GatePriority, Threshold: 100, Target: checklist.Target{Section: -1, Group: -1, Priority: "P0"}},
			},
			Roles: []*checklist.Role{
				{Name: "Engineering Lead", Description: "owns the code", Holder: "UENG", Verdict: checklist.VerdictConditional,
					Note: "after the load test", By: "UENG", At: at, Version: 3},
				{Name: "Security Lead", Verdict: checklist.VerdictPending},
			},
			Windows: []checklist.Window{
				{Name: "1 Week Before Launch", OffsetMinutes: -7 * 1440, Section: 1, Group: 0, Items: []int{4, 5}},
				{Name: "Launch Day", OffsetMinutes: 0, Section: 1, Group: 1, Items: []int{6}},
			},
		},
	}
}

// seedLike is a launch the size and shape of seed 000: 13 sections, 45
// groups, 270 items and tasks, 4 windows, 8 gates and 4 roles.
func seedLike(channel string) *launch.Launch {
	c := &checklist.Checklist{Title: "Production Readiness Checklist"}
	number := 0
	for si := 0; si < 13; si++ {
		sec := &checklist.Section{Index: si, Number: si + 1, Title: fmt.Sprintf("Section %d", si+1), Kind: checklist.KindReadiness, HasSignoff: si < 9}
		if si == 9 {
			sec.Kind = checklist.KindWindow
		}
		for gi := 0; gi < 3+si%2; gi++ {
			g := &checklist.Group{Index: gi, Title: fmt.Sprintf("Group %d.%d", si+1, gi+1)}
			var win *checklist.Window
			if si == 9 {
				g.Window = &checklist.WindowSpec{OffsetMinutes: (gi - 3) * 1440}
				c.Windows = append(c.Windows, checklist.Window{Name: g.Title, OffsetMinutes: (gi - 3) * 1440, Section: si, Group: gi})
				win = &c.Windows[len(c.Windows)-1]
			}
			for ii := 0; ii < 6; ii++ {
				number++
				it := &checklist.Item{Number: number, Text: fmt.Sprintf("Item %d: something that must be ready before launch", number), Line: number + 10, Task: win != nil}
				if ii%3 == 1 {
					it.Parent, it.Depth = number-1, 1
				}
				if number%3 == 0 {
					it.Done, it.DoneBy, it.DoneAt = true, "UALICE", t0
				}
				g.Items = append(g.Items, it)
				if win != nil {
					win.Items = append(win.Items, number)
				}
			}
			sec.Groups = append(sec.Groups, g)
		}
		c.Sections = append(c.Sections, sec)
	}
	c.Gates = append(c.Gates, checklist.Gate{Name: "Overall", Kind: checklist.GateOverall, Threshold: 85, Target: checklist.Target{Section: -1, Group: -1}})
	for si := 0; si < 7; si++ {
		c.Gates = append(c.Gates, checklist.Gate{Name: fmt.Sprintf("Section %d", si+1), Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: si, Group: -1}})
	}
	for _, name := range []string{"Engineering Lead", "Product Manager", "Security Lead", "Operations Lead"} {
		c.Roles = append(c.Roles, &checklist.Role{Name: name, Verdict: checklist.VerdictPending})
	}
	return &launch.Launch{TeamID: "T1", ChannelID: channel, Name: "Seed-like", Date: "2026-12-01", Timezone: "UTC", Creator: "UCREATOR", Checklist: c}
}

// requireEveryFieldSet fails when a field of v's type is zero everywhere in
// v, naming it: a field added to the model must be added to the fixture,
// and so to the round trip, before it can go unstored.
func requireEveryFieldSet(t *testing.T, v any, except ...string) {
	t.Helper()
	all, set := map[string]bool{}, map[string]bool{}
	typ := reflect.TypeOf(v)
	listFields(typ, typ.Elem().Name(), all)
	markSet(reflect.ValueOf(v), typ.Elem().Name(), set)
	for _, e := range except {
		set[e] = true
	}
	var missing []string
	for f := range all {
		if !set[f] {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "fields never set in the fixture")
}

var timeType = reflect.TypeOf(time.Time{})

func listFields(t reflect.Type, path string, out map[string]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		listFields(t.Elem(), path, out)
	case reflect.Struct:
		if t == timeType {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			p := path + "." + f.Name
			out[p] = true
			listFields(f.Type, p, out)
		}
	}
}

func markSet(v reflect.Value, path string, set map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			markSet(v.Elem(), path, set)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			markSet(v.Index(i), path, set)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := path + "." + f.Name
			if !v.Field(i).IsZero() {
				set[p] = true
			}
			markSet(v.Field(i), p, set)
		}
	}
}
