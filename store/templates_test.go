package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/templates"
)

// templateLaunch is a launch of a built-in template, as /golive new makes one.
func templateLaunch(tb testing.TB, name, channel string) *launch.Launch {
	tb.Helper()
	tpl, err := templates.Get(name)
	require.NoError(tb, err)
	c, _, err := checklist.Parse(tpl.Markdown)
	require.NoError(tb, err)
	return &launch.Launch{TeamID: "T1", ChannelID: channel, Name: tpl.Name + " launch", Date: "2026-12-01",
		Timezone: "America/New_York", Creator: "UCREATOR", Template: tpl.Name, Checklist: c}
}

func TestTemplatesRoundTrip(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	for _, tpl := range templates.List() {
		t.Run(tpl.Name, func(t *testing.T) {
			l := templateLaunch(t, tpl.Name, "C-"+tpl.Name)
			want := templateLaunch(t, tpl.Name, "C-"+tpl.Name)
			require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
			want.ID, want.CreatedAt, want.DatedAt = l.ID, l.CreatedAt, l.CreatedAt

			got, err := s.LaunchByID(ctx, l.ID)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, checklist.Score(want.Checklist), checklist.Score(got.Checklist))
		})
	}
}
