package render

import (
	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/launch"
)

// The import modal's callback id and its inputs' block and action ids.
const (
	ImportCallbackID     = "import"
	ImportNameBlock      = "import_name"
	ImportNameAction     = "name"
	ImportDateBlock      = "import_date"
	ImportDateAction     = "date"
	ImportMarkdownBlock  = "import_markdown"
	ImportMarkdownAction = "markdown"
	ImportOptionsBlock   = "import_options"
	ImportOptionsAction  = "options"
	// ImportListItems is the option that makes every list item an item.
	ImportListItems = "list_items"
)

// ImportNameMax is the longest launch name the import form takes: the
// domain's limit, so the form refuses what a command would refuse.
const ImportNameMax = launch.MaxName

// ImportMarkdownMax is Slack's limit for a plain_text_input: the longest
// checklist the import form can take.
const ImportMarkdownMax = maxInputLength

// ImportModal is the form that imports a Markdown checklist as a new launch
// in the channel; the channel id travels in private_metadata.
func ImportModal(channelID string) slack.ModalViewRequest {
	name := slack.NewPlainTextInputBlockElement(plain("Checkout v2"), ImportNameAction)
	name.MaxLength = ImportNameMax
	date := slack.NewDatePickerBlockElement(ImportDateAction)
	date.Placeholder = plain("Launch date")
	md := slack.NewPlainTextInputBlockElement(plain("## Security  ### Authentication  - [ ] API keys rotated"), ImportMarkdownAction)
	md.Multiline = true
	md.MaxLength = ImportMarkdownMax
	options := slack.NewCheckboxGroupsBlockElement(ImportOptionsAction,
		slack.NewOptionBlockObject(ImportListItems, plain("Import every list item"),
			plain("For a checklist written without checkboxes: each list item becomes an item.")))
	optionsBlock := slack.NewInputBlock(ImportOptionsBlock, plain("Options"), nil, options)
	optionsBlock.Optional = true
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: ImportCallbackID,
		Title:      plain("Import a checklist"),
		Submit:     plain("Import"),
		Close:      plain("Cancel"),
		// Our own value, but it comes back in a payload: the handler checks it.
		PrivateMetadata: clipPlain(channelID, maxPrivateMeta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("Paste a production-readiness checklist in Markdown: `##` sections, `###` groups, `- [ ]` and `- [x]` items, a *Go/No-Go* section with the gates and the approver roles."),
			slack.NewInputBlock(ImportNameBlock, plain("Launch name"), nil, name),
			slack.NewInputBlock(ImportDateBlock, plain("Launch date"), plain("The calendar day of the launch, in "+launchZoneHint+"."), date),
			slack.NewInputBlock(ImportMarkdownBlock, plain("Checklist (Markdown)"),
				plain("Up to 3000 characters: that is Slack's limit for a text field. For a longer checklist, start from a built-in template (`templates`) instead."), md),
			optionsBlock,
		}},
	}
}

// launchZoneHint names where the launch's time zone comes from.
const launchZoneHint = "the launch's time zone (golive's default unless changed with `timezone`)"
