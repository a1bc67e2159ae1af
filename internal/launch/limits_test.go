package launch_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/templates"
)

func TestBuiltInTemplatesFitTheLimits(t *testing.T) {
	for _, name := range templates.Names() {
		tmpl, err := templates.Get(name)
		require.NoError(t, err)
		list, _, err := checklist.Parse(tmpl.Markdown)
		require.NoError(t, err)
		assert.NoError(t, launch.CheckChecklist(list), name)
	}
}

func TestCheckChecklistNamesTheField(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		name   string
		change func(c *checklist.Checklist)
		want   string
	}{
		{"title", func(c *checklist.Checklist) { c.Title = long(151) }, "The checklist title is 151 characters long; keep it to 150 or fewer."},
		{"item", func(c *checklist.Checklist) { c.Sections[0].Groups[0].Items[0].Text = long(501) }, "The text of item 1 (line 3) is 501 characters long; keep it to 500 or fewer."},
		{"note", func(c *checklist.Checklist) { c.Sections[0].Groups[0].Items[0].Note = long(1001) }, "The note of item 1 (line 3) is 1001 characters long; keep it to 1000 or fewer."},
		{"details", func(c *checklist.Checklist) { c.Sections[0].Groups[0].Items[0].Details = long(2001) }, "The text under item 1 (line 3) is 2001 characters long; keep it to 2000 or fewer."},
		{"role", func(c *checklist.Checklist) { c.Roles = []*checklist.Role{{Name: long(61)}} }, "The name of role 1 is 61 characters long; keep it to 60 or fewer."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, _, err := checklist.Parse([]byte("# T\n## Security\n- [ ] One\n"))
			require.NoError(t, err)
			require.NoError(t, launch.CheckChecklist(list))
			tc.change(list)
			err = launch.CheckChecklist(list)
			assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestAnswerCapsTheNote(t *testing.T) {
	l := &launch.Launch{Creator: "UC", Checklist: &checklist.Checklist{Roles: []*checklist.Role{{Name: "Security", Holder: "UH"}}}}
	_, err := l.Answer("UH", "Security", checklist.VerdictRejected, strings.Repeat("y", 1001), now)
	assert.EqualError(t, err, "The reason for rejecting is 1001 characters long; keep it to 1000 or fewer.")
	_, err = l.Answer("UH", "Security", checklist.VerdictConditional, strings.Repeat("y", 1000), now)
	assert.NoError(t, err)
}

func TestStripBidi(t *testing.T) {
	assert.Equal(t, "abc", launch.StripBidi("a\u202ab\u202b\u202c\u202d\u202ec\u2066\u2067\u2068\u2069"))
	assert.Equal(t, "שלום \u200fmark", launch.StripBidi("שלום \u200fmark"), "right-to-left text and marks stay")
}

func TestErrorfQuotesBoundedAndWithoutOverrides(t *testing.T) {
	err := launch.Errorf(launch.ENOTFOUND, "There is no section %q.", "Sec\u202eurity"+strings.Repeat("z", 5000))
	assert.NotContains(t, err.Message, "\u202e")
	assert.Less(t, len([]rune(err.Message)), 1100, "an echo does not grow with what was typed")
}
