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
	_, err = st.Update(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UCREATOR", []int{1}, true, now)
	})
	require.NoError(t, err)
	return path
}

func TestExportPrintsTheChannelsLaunch(t *testing.T) {
	path := exportDB(t)
	var out, errOut bytes.Buffer
	code := runExport([]string{"--db", path, "--channel", "C1"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.True(t, json.Valid(out.Bytes()))
	assert.Contains(t, out.String(), "Checkout v2")

	for _, format := range []string{"csv", "md"} {
		out.Reset()
		code = runExport([]string{"--db", path, "--channel", "C1", "--team", "T1", "--format", format}, &out, &errOut)
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
		{[]string{"--db", path, "--channel", "C9"}, 1, "no active launch in channel C9"},
		{[]string{"--db", path, "--channel", "C1", "--team", "T9"}, 1, "no active launch in channel C1 of team T9"},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db"), "--channel", "C1"}, 1, "does not exist"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := runExport(tc.args, &out, &errOut)
		assert.Equal(t, tc.code, code, strings.Join(tc.args, " "))
		assert.Contains(t, errOut.String(), tc.want)
		assert.Empty(t, out.String())
	}
}
