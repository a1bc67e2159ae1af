package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func TestImportModal(t *testing.T) {
	v := ImportModal("C0LAUNCH")
	assert.Empty(t, CheckModal(v))
	assert.Equal(t, ImportCallbackID, v.CallbackID)
	assert.Equal(t, "C0LAUNCH", v.PrivateMetadata)
	inputs := map[string]*slack.InputBlock{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			inputs[in.BlockID] = in
		}
	}
	require.Len(t, inputs, 6)
	file := inputs[ImportFileBlock]
	assert.True(t, file.Optional, "a file or a paste: one of the two")
	fe := file.Element.(*slack.FileInputBlockElement)
	assert.Equal(t, ImportFileAction, fe.ActionID)
	assert.Equal(t, []string{"md", "markdown", "txt"}, fe.FileTypes)
	assert.Equal(t, 1, fe.MaxFiles)
	assert.True(t, inputs[ImportMarkdownBlock].Optional)
	assert.IsType(t, &slack.TimePickerBlockElement{}, inputs[ImportTimeBlock].Element)
	name := inputs[ImportNameBlock].Element.(*slack.PlainTextInputBlockElement)
	assert.Equal(t, ImportNameAction, name.ActionID)
	date := inputs[ImportDateBlock].Element.(*slack.DatePickerBlockElement)
	assert.Equal(t, ImportDateAction, date.ActionID)
	md := inputs[ImportMarkdownBlock].Element.(*slack.PlainTextInputBlockElement)
	assert.Equal(t, ImportMarkdownAction, md.ActionID)
	assert.True(t, md.Multiline)
	assert.Equal(t, 3000, md.MaxLength)
	assert.Contains(t, inputs[ImportMarkdownBlock].Hint.Text, "3000 characters")
	options := inputs[ImportOptionsBlock]
	assert.True(t, options.Optional, "the list-items choice is optional")
	boxes := options.Element.(*slack.CheckboxGroupsBlockElement)
	assert.Equal(t, ImportOptionsAction, boxes.ActionID)
	require.Len(t, boxes.Options, 1)
	assert.Equal(t, ImportListItems, boxes.Options[0].Value)
}

// TestImportPreviewGolden: the preview of a hostile document, escaped, with
// every kind of line; and both seeds' previews inside Block Kit's limits.
func TestImportPreviewGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	src := strings.Join([]string{
		"# Hostile <!channel> launch",
		"## 1. Security",
		"### Auth",
		"- [ ] Keys rotated",
		"- [x] MFA on <!here>",
		"-[ ] not quite an item <@U123>",
		"## Go/No-Go Decision Criteria",
		"**Required for GO (must be 100%):**",
		"- [ ] Security (Section 1)",
		"**Approved by:**",
		"- Security Lead: _______________",
		"## Launch",
		"### 1 Week Before Launch",
		"- Final security audit",
	}, "\n")
	c, rep, err := checklist.Parse([]byte(src))
	require.NoError(t, err)
	l.Checklist = c
	v := ImportPreview(l, rep, "TOKEN0123456789ABCDEFGHIJ")
	golden(t, "ImportPreview", v)
	assert.Empty(t, CheckModal(v))
	assert.Equal(t, ImportPreviewCallbackID, v.CallbackID)
	assert.Equal(t, "Confirm", v.Submit.Text)
	assert.Equal(t, "Back", v.Close.Text)

	for _, file := range []string{"seed000.md", "seed004.md"} {
		_, rep, err := checklist.Parse(readSeed(t, file))
		require.NoError(t, err)
		v := ImportPreview(seedLaunch(t, file), rep, "TOKEN0123456789ABCDEFGHIJ")
		assert.Empty(t, CheckModal(v), file)
	}
}

// TestImportPreviewSummarisesTheRest: a file of thousands of near-items
// lists what fits in 100 blocks and sums up the rest.
func TestImportPreviewSummarisesTheRest(t *testing.T) {
	var b strings.Builder
	b.WriteString("## S\n- [ ] one real item\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "-[x] near item %d with a longer text to fill the blocks quickly\n", i)
	}
	l := seedLaunch(t, "seed000.md")
	c, rep, err := checklist.Parse([]byte(b.String()))
	require.NoError(t, err)
	l.Checklist = c
	v := ImportPreview(l, rep, "TOKEN0123456789ABCDEFGHIJ")
	assert.Empty(t, CheckModal(v))
	s := viewText(t, v)
	assert.Contains(t, s, "Line 3: ")
	assert.Regexp(t, `… and \d+ more skipped lines`, s)
}

// viewText is every mrkdwn text of a view, joined.
func viewText(t *testing.T, v slack.ModalViewRequest) string {
	t.Helper()
	var out []string
	for _, b := range v.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			out = append(out, b.Text.Text)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if tx, ok := e.(*slack.TextBlockObject); ok {
					out = append(out, tx.Text)
				}
			}
		}
	}
	return strings.Join(out, "\n")
}
