package export

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

// TestMarkdownReimportsIntoTheSameLaunchWithNothingChanged brings the
// Markdown export of a worked launch (ticks, owners, a sign-off, verdicts,
// items added, reworded, removed, noted, not applicable, due) back into the
// same launch as an update: nothing differs, nothing changes.
func TestMarkdownReimportsIntoTheSameLaunchWithNothingChanged(t *testing.T) {
	for _, file := range []string{"seed000.md", "seed004.md"} {
		t.Run(file, func(t *testing.T) {
			l := worked(t, seed(t, file))
			items := l.Checklist.Items()
			c := l.Creator
			_, _, err := l.AddItem(c, l.Checklist.Sections[0].Title, "Chaos drill run on staging")
			require.NoError(t, err)
			_, _, _, err = l.EditItem(c, items[1].Number, items[1].Text+" twice")
			require.NoError(t, err)
			_, _, err = l.RemoveItem(c, items[3].Number, "not for this launch", now)
			require.NoError(t, err)
			_, err = l.AddNote(c, items[4].Number, "https://ci.example.com/run/1", now)
			require.NoError(t, err)
			_, _, err = l.SetNA(c, items[5].Number, "no such component", now)
			require.NoError(t, err)
			_, _, err = l.SetDue(c, items[6].Number, "2026-02-25", now)
			require.NoError(t, err)
			_, err = l.SetSectionOwner(c, l.Checklist.Sections[1].Title, "U0SEC")
			require.NoError(t, err)
			before := fmt.Sprintf("%+v %+v", *l, l.Checklist.Items())

			md, err := Markdown(l)
			require.NoError(t, err)
			next, _, err := checklist.Parse(md)
			require.NoError(t, err)
			diff, events, err := l.UpdateChecklist(c, next, now)
			require.NoError(t, err)
			assert.True(t, diff.Empty(), "%+v", diff)
			assert.Equal(t, len(items), diff.Unchanged)
			assert.Empty(t, events)
			assert.Equal(t, before, fmt.Sprintf("%+v %+v", *l, l.Checklist.Items()))
		})
	}
}
