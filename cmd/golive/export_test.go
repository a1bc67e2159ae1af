package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/templates"
	"github.com/golive/golive/store"
)

// exportDB makes a database with one launch in channel C1 of team T1.
func exportDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "golive.db")
	st, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	defer st.Close()
	tmpl, err := templates.Get(templates.Default)
	require.NoError(t, err)
	list, _, err := checklist.Parse(tmpl.Markdown)
	require.NoError(t, err)
	l := &launch.Launch{TeamID: "T1", ChannelID: "C1", Name: "Checkout v2", Date: "2026-12-01",
		Timezone: "UTC", Creator: "UCREATOR", Template: tmpl.Name, Checklist: list}
	require.NoError(t, st.CreateLaunch(context.Background(), l, "UCREATOR"))
	st.Now = func() time.Time { return exportTicked }
	_, err = st.Update(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		ticked, err := l.SetDone("UCREATOR", []int{1}, true, now)
		if err != nil {
			return nil, err
		}
		owned, err := l.SetItemOwner("UCREATOR", 2, "UDANA")
		if err != nil {
			return nil, err
		}
		held, err := l.SetRoleHolder("UCREATOR", "Security Lead", "USAM")
		return append(append(ticked, owned...), held...), err
	})
	require.NoError(t, err)
	return path
}

// exportTicked is when exportDB ticks item 1.
var exportTicked = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// exportOutput is what the issue asks of `golive export --channel C --format
// json`: the shape of `golive check --json`, every item with who ticked it
// and when, and each role's holder and verdict.
type exportOutput struct {
	checkOutput
	Items []struct {
		Number int    `json:"number"`
		Text   string `json:"text"`
		Done   bool   `json:"done"`
		Owner  string `json:"owner"`
		DoneBy string `json:"done_by"`
		DoneAt string `json:"done_at"`
	} `json:"items"`
	Roles []struct {
		Role    string `json:"role"`
		Status  string `json:"status"`
		Holder  string `json:"holder"`
		Verdict string `json:"verdict"`
	} `json:"roles"`
}

func TestExportJSONHasTheCheckShapeItemsAndHolders(t *testing.T) {
	path := exportDB(t)
	var out, errOut bytes.Buffer
	code := run([]string{"export", "--channel", "C1"}, nil, &out, &errOut, env(map[string]string{"GOLIVE_DB": path}))
	require.Equal(t, 0, code, errOut.String())

	var doc exportOutput
	dec := json.NewDecoder(&out)
	require.NoError(t, dec.Decode(&doc))
	assert.False(t, dec.More(), "one JSON object")

	assert.Equal(t, "Production Readiness Checklist", doc.Title)
	assert.Equal(t, 1, doc.Done)
	assert.Equal(t, 199, doc.Total)
	assert.Equal(t, 0.5, doc.Readiness)
	assert.Equal(t, "NO-GO", doc.Decision)
	require.Len(t, doc.Sections, 12, "the trailing appendix holds no item")
	assert.Equal(t, "Infrastructure", doc.Sections[0].Title)
	assert.Equal(t, "Containerization", doc.Sections[0].Groups[0].Title)
	assert.Equal(t, 1, doc.Sections[0].Groups[0].Done)
	require.Len(t, doc.Gates, 8)
	assert.Equal(t, "Overall readiness", doc.Gates[0].Name)
	assert.Equal(t, "overall", doc.Gates[0].Kind)
	assert.Equal(t, 85.0, doc.Gates[0].Threshold)
	assert.False(t, doc.Gates[0].Passed)
	assert.NotEmpty(t, doc.Reasons)

	require.Len(t, doc.Items, 252)
	first, second := doc.Items[0], doc.Items[1]
	assert.Equal(t, 1, first.Number)
	assert.Equal(t, "Dockerfile created with multi-stage build", first.Text)
	assert.True(t, first.Done)
	assert.Equal(t, "UCREATOR", first.DoneBy)
	assert.Equal(t, "2026-11-20T09:30:00Z", first.DoneAt)
	assert.Equal(t, 2, second.Number)
	assert.False(t, second.Done)
	assert.Equal(t, "UDANA", second.Owner)

	require.Len(t, doc.Roles, 4)
	assert.Equal(t, "Security Lead", doc.Roles[2].Role)
	assert.Equal(t, "USAM", doc.Roles[2].Holder)
	assert.Equal(t, "pending", doc.Roles[2].Verdict)
	assert.Equal(t, "pending", doc.Roles[2].Status)
	assert.Empty(t, doc.Roles[0].Holder)
}

func TestExportPrintsTheChannelsLaunch(t *testing.T) {
	path := exportDB(t)
	var out, errOut bytes.Buffer
	code := runExport([]string{"--db", path, "--channel", "C1"}, &out, &errOut, env(nil))
	require.Equal(t, 0, code, errOut.String())
	assert.True(t, json.Valid(out.Bytes()))
	assert.Contains(t, out.String(), "Checkout v2")

	for _, format := range []string{"csv", "md"} {
		out.Reset()
		code = runExport([]string{"--db", path, "--channel", "C1", "--team", "T1", "--format", format}, &out, &errOut, env(nil))
		require.Equal(t, 0, code, errOut.String())
		assert.NotEmpty(t, out.String(), format)
	}
}

func TestExportErrors(t *testing.T) {
	path := exportDB(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--db", path}, 2, "usage: golive export"},
		{[]string{"--db", path, "--channel", "C1", "--format", "xml"}, 2, `unknown format "xml"`},
		{[]string{"--db", path, "--channel", "C9"}, 1, "golive export: no active launch in channel C9 of the database " + path +
			". Its active launches:\n  channel C1 of team T1: “Checkout v2”, 2026-12-01\n"},
		{[]string{"--db", path, "--channel", "C1", "--team", "T9"}, 1, "no active launch in channel C1 of team T9 of the database"},
		{[]string{"--db", path, "--channel", "#launch"}, 2, `golive export: --channel "#launch" is not a channel id: it looks like C0123ABCD`},
		{[]string{"--db", path, "--channel", "C1", "--team", "acme"}, 2, `golive export: --team "acme" is not a team id`},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db"), "--channel", "C1"}, 1, "does not exist"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := runExport(tc.args, &out, &errOut, env(nil))
		assert.Equal(t, tc.code, code, strings.Join(tc.args, " "))
		assert.Contains(t, errOut.String(), tc.want)
		if tc.code == 1 {
			assert.NotContains(t, errOut.String(), "looks like", "an id of the right shape is not said to look wrong")
		}
		assert.Empty(t, out.String())
	}
}

func TestExportOfADatabaseWithoutLaunches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "golive.db")
	st, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	var out, errOut bytes.Buffer
	code := runExport([]string{"--db", path, "--channel", "C0123ABCD"}, &out, &errOut, env(nil))
	assert.Equal(t, 1, code)
	assert.Equal(t, "golive export: no active launch in channel C0123ABCD: the database "+path+
		" holds no active launch (start one with /golive new in Slack, or golive import)\n", errOut.String())
}
