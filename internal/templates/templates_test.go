package templates_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/templates"
)

func TestList(t *testing.T) {
	list := templates.List()
	require.Len(t, list, 2)
	assert.Equal(t, []string{"web", "enterprise"}, templates.Names())
	for i, tmpl := range list {
		assert.Equal(t, templates.Names()[i], tmpl.Name)
		assert.NotEmpty(t, tmpl.Description)
		assert.NotContains(t, tmpl.Description, "\n", "a one-line description")
		assert.NotEmpty(t, tmpl.Markdown)
	}
	_, err := templates.Get(templates.Default)
	assert.NoError(t, err)
}

func TestGet(t *testing.T) {
	tmpl, err := templates.Get(" Enterprise ")
	require.NoError(t, err)
	assert.Equal(t, "enterprise", tmpl.Name)

	_, err = templates.Get("mobile")
	require.ErrorIs(t, err, templates.ErrNotFound)
	assert.EqualError(t, err, `no such template "mobile": choose one of web, enterprise`)

	// Each caller gets its own copy of the Markdown.
	a, _ := templates.Get("web")
	a.Markdown[0] = 'X'
	b, _ := templates.Get("web")
	assert.Equal(t, byte('#'), b.Markdown[0])
}

// TestTemplatesAreBlankSeeds checks each template against the seed it comes
// from: the same checklist, gates, roles and windows, with nothing done.
func TestTemplatesAreBlankSeeds(t *testing.T) {
	for name, seed := range map[string]string{"web": "seed000.md", "enterprise": "seed004.md"} {
		t.Run(name, func(t *testing.T) {
			tmpl, err := templates.Get(name)
			require.NoError(t, err)
			c, rep, err := checklist.Parse(tmpl.Markdown)
			require.NoError(t, err)
			src, err := os.ReadFile(filepath.Join("..", "checklist", "testdata", seed))
			require.NoError(t, err)
			want, _, err := checklist.Parse(src)
			require.NoError(t, err)

			items, wantItems := c.Items(), want.Items()
			require.Len(t, items, len(wantItems))
			for i, it := range items {
				assert.Equal(t, wantItems[i].Text, it.Text)
				assert.Equal(t, wantItems[i].Parent, it.Parent)
				assert.False(t, it.Done, "item %d %q is blank", it.Number, it.Text)
				assert.Empty(t, it.DoneBy)
			}
			for _, s := range c.Sections {
				assert.Nil(t, s.Signoff, "section %q is not signed off", s.Title)
			}
			require.Len(t, c.Roles, len(want.Roles))
			for _, r := range c.Roles {
				assert.Equal(t, checklist.VerdictPending, r.Verdict, r.Name)
				assert.Empty(t, r.By, r.Name)
			}
			assert.Len(t, c.Gates, len(want.Gates))
			assert.Equal(t, want.Windows, c.Windows)
			assert.Empty(t, rep.Unresolved)

			r := checklist.Score(c)
			assert.Zero(t, r.Readiness.Done)
			assert.Equal(t, checklist.Score(want).Readiness.Total, r.Readiness.Total)
			assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
		})
	}
}

// A template starts with a section that has items: a subtitle under its
// title (enterprise's "## Enterprise Company Verification Intelligence")
// used to show as an empty first section, "0/0".
func TestTemplatesStartWithItems(t *testing.T) {
	for _, name := range templates.Names() {
		tmpl, err := templates.Get(name)
		require.NoError(t, err)
		c, _, err := checklist.Parse(tmpl.Markdown)
		require.NoError(t, err)
		require.NotEmpty(t, c.Sections)
		count := func(s *checklist.Section) int {
			n := 0
			for _, g := range s.Groups {
				n += len(g.Items)
			}
			return n
		}
		assert.NotZero(t, count(c.Sections[0]), "%s: the first section, %q, has items", name, c.Sections[0].Title)
	}
}
