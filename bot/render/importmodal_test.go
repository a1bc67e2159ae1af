package render

import (
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.Len(t, inputs, 4)
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
