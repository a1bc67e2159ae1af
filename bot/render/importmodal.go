package render

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/checklist"

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
	ImportFileBlock      = "import_file"
	ImportFileAction     = "file"
	ImportTimeBlock      = "import_time"
	ImportTimeAction     = "time"
	ImportOptionsBlock   = "import_options"
	ImportOptionsAction  = "options"
	// ImportListItems is the option that makes every list item an item.
	ImportListItems = "list_items"
)

// ImportNameMax is the longest launch name the import form takes: the
// domain's limit, so the form refuses what a command would refuse.
const ImportNameMax = launch.MaxName

// ImportPreviewCallbackID is the import preview's: its Confirm creates the
// launch; its close button (Back) returns to the form, as Slack keeps it
// under the pushed preview with what was typed.
const ImportPreviewCallbackID = "import_preview"

// ImportFileTypes are the file types the file field offers.
var ImportFileTypes = []string{"md", "markdown", "txt"}

// ImportMarkdownMax is Slack's limit for a plain_text_input: the longest
// checklist the import form can take.
const ImportMarkdownMax = maxInputLength

// ImportModal is the form that imports a Markdown checklist as a new launch
// in the channel; the channel id travels in private_metadata.
func ImportModal(channelID string) slack.ModalViewRequest {
	md := slack.NewPlainTextInputBlockElement(plain("## Security  ### Authentication  - [ ] API keys rotated"), ImportMarkdownAction)
	md.Multiline = true
	md.MaxLength = ImportMarkdownMax
	file := slack.NewFileInputBlockElement(ImportFileAction).WithFileTypes(ImportFileTypes...).WithMaxFiles(1)
	return importModal(channelID,
		section("Choose a production-readiness checklist file, or paste a short one, in Markdown: `##` sections, `###` groups, `- [ ]` and `- [x]` items, a *Go/No-Go* section with the gates and the approver roles. You see what golive found before anything is created."),
		optional(slack.NewInputBlock(ImportFileBlock, plain("Checklist file"),
			plain(fmt.Sprintf("A Markdown or text file of up to %d KB. Or paste the checklist below: one of the two.", ImportFileMaxBytes/1024)), file)),
		optional(slack.NewInputBlock(ImportMarkdownBlock, plain("Or paste the checklist (Markdown)"),
			plain("Up to 3000 characters: that is Slack's limit for a text field. Choose a file for a longer checklist."), md)))
}

// ImportSource is a checklist chosen before the form opens, by the message
// shortcut: the form names it instead of offering the file and paste fields.
type ImportSource struct {
	// Name is a file's name, or empty for the message's own text.
	Name string
	// Size is the file's or the text's size in bytes.
	Size int
}

// ImportModalFrom is the import form for a checklist already chosen: only
// the launch's name, date and time are left to fill in. meta is the
// adapter's private_metadata, which says where the checklist is.
func ImportModalFrom(meta string, src ImportSource) slack.ModalViewRequest {
	what := "the text of the message you picked"
	if src.Name != "" {
		what = "the file *" + Escape(clip(src.Name, 200)) + "* from the message you picked"
	}
	return importModal(meta, section(fmt.Sprintf("golive imports %s (%s) as a new launch in this channel. Give the launch a name and a date: you see what golive found before anything is created.",
		what, sizeWords(src.Size))))
}

// importModal is the import form around intro and the checklist's fields.
func importModal(meta string, intro slack.Block, source ...slack.Block) slack.ModalViewRequest {
	name := slack.NewPlainTextInputBlockElement(plain("Checkout v2"), ImportNameAction)
	name.MaxLength = ImportNameMax
	date := slack.NewDatePickerBlockElement(ImportDateAction)
	date.Placeholder = plain("Launch date")
	when := slack.NewTimePickerBlockElement(ImportTimeAction)
	when.Placeholder = plain("Launch time")
	options := slack.NewCheckboxGroupsBlockElement(ImportOptionsAction,
		slack.NewOptionBlockObject(ImportListItems, plain("Import every list item"),
			plain("For a checklist written without checkboxes: each list item becomes an item.")))
	blocks := []slack.Block{
		intro,
		slack.NewInputBlock(ImportNameBlock, plain("Launch name"), nil, name),
		slack.NewInputBlock(ImportDateBlock, plain("Launch date"), plain("The calendar day of the launch, in "+launchZoneHint+"."), date),
		optional(slack.NewInputBlock(ImportTimeBlock, plain("Launch time"), plain("Optional: golive's default reminder time otherwise."), when)),
	}
	blocks = append(blocks, source...)
	blocks = append(blocks, optional(slack.NewInputBlock(ImportOptionsBlock, plain("Options"), nil, options)))
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: ImportCallbackID,
		Title:      plain("Import a checklist"),
		Submit:     plain("Preview"),
		Close:      plain("Cancel"),
		// Our own value, but it comes back in a payload: the handler checks it.
		PrivateMetadata: clipPlain(meta, maxPrivateMeta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func optional(b *slack.InputBlock) *slack.InputBlock { b.Optional = true; return b }

// sizeWords says a size in bytes the way people read it.
func sizeWords(n int) string {
	if n < 1024 {
		return plural(n, "byte")
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// ImportFileMaxBytes is the largest checklist file golive downloads.
const ImportFileMaxBytes = 1 << 20

// ImportPreview shows what golive found in a checklist before the launch is
// created: l is the launch Confirm would create (not stored yet), rep what
// the import recognised, token the key of the stored draft.
func ImportPreview(l *launch.Launch, rep *checklist.ImportReport, token string) slack.ModalViewRequest {
	if rep == nil {
		rep = &checklist.ImportReport{}
	}
	head := fmt.Sprintf("*%s*: %s in %s, launch on %s (%s), %s skipped.", Escape(clip(l.Name, 140)), plural(rep.Items, "item"),
		plural(len(rep.Sections), "section"), Escape(l.When()), Escape(l.Timezone), plural(len(rep.Skipped), "line"))
	if rep.Title != "" {
		head += "\nTitle: " + Escape(brief(rep.Title, 300))
	}
	blocks := []slack.Block{section(head)}
	blocks = append(blocks, importBlocks(rep, previewMore)...)
	blocks = append(blocks, contextBlock("*Confirm* creates the launch in this channel. *Back* returns to the form to change it."))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ImportPreviewCallbackID,
		Title:           plain("Import preview"),
		Submit:          plain("Confirm"),
		Close:           plain("Back"),
		PrivateMetadata: clipPlain(token, maxPrivateMeta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ImportFailed replaces the preview when Confirm cannot create the launch:
// the preview has no field to show an error under.
func ImportFailed(reason string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Import a checklist"),
		Close:  plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(":warning: Nothing was created. " + Escape(clip(reason, 2000)))}},
	}
}

// previewMore sums up what the preview has no room for.
func previewMore(what string) func(int) string {
	return func(n int) string {
		return fmt.Sprintf("_… and %d more %s: `golive check FILE` lists them all_", n, what)
	}
}

// launchZoneHint names where the launch's time zone comes from.
const launchZoneHint = "the launch's time zone (golive's default unless changed with `timezone`)"
