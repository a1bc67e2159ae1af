package render

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/launch"
)

// Block budgets of the update preview; with its fixed blocks they stay
// under a modal's 100, and the view, at 3000 characters a block, well
// under Slack's 250 kB (view_too_large).
const (
	updateChangeBlocks = 40
	updateOtherBlocks  = 6
	updateVoidBlocks   = 4
	// updateLineText clips each text a change quotes, so that a line stays
	// readable and many fit in a block.
	updateLineText = 300
)

// ImportUpdateModal is the import form for a channel whose launch is
// running: it takes a newer version of the checklist, which updates the
// launch rather than starting one. The channel id travels in
// private_metadata; the name is the launch's, shown.
func ImportUpdateModal(channelID, name string) slack.ModalViewRequest {
	md := slack.NewPlainTextInputBlockElement(plain("## Security  ### Authentication  - [ ] API keys rotated"), ImportMarkdownAction)
	md.Multiline = true
	md.MaxLength = ImportMarkdownMax
	file := slack.NewFileInputBlockElement(ImportFileAction).WithFileTypes(ImportFileTypes...).WithMaxFiles(1)
	options := slack.NewCheckboxGroupsBlockElement(ImportOptionsAction,
		slack.NewOptionBlockObject(ImportListItems, plain("Import every list item"),
			plain("For a checklist written without checkboxes: each list item becomes an item.")))
	optional := func(b *slack.InputBlock) *slack.InputBlock { b.Optional = true; return b }
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ImportCallbackID,
		Title:           plain("Update the checklist"),
		Submit:          plain("Preview"),
		Close:           plain("Cancel"),
		PrivateMetadata: clipPlain(channelID, maxPrivateMeta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("This channel runs the launch *%s*. Choose a newer version of its checklist, or paste a short one: "+
				"items are matched by section and text, and keep their ticks, owners, notes and N/A; new items arrive open, "+
				"items gone from the file are removed. You see every change before anything is updated.", Escape(clip(name, 140)))),
			optional(slack.NewInputBlock(ImportFileBlock, plain("Checklist file"),
				plain(fmt.Sprintf("A Markdown or text file of up to %d KB. Or paste the checklist below: one of the two.", ImportFileMaxBytes/1024)), file)),
			optional(slack.NewInputBlock(ImportMarkdownBlock, plain("Or paste the checklist (Markdown)"),
				plain("Up to 3000 characters: that is Slack's limit for a text field. Choose a file for a longer checklist."), md)),
			optional(slack.NewInputBlock(ImportOptionsBlock, plain("Options"), nil, options)),
		}},
	}
}

// ImportUpdateModalFrom is the update form for a checklist the message
// shortcut picked: nothing is left to fill in but the options, and Preview
// shows what would change. meta is the adapter's private_metadata.
func ImportUpdateModalFrom(meta, name string, src ImportSource) slack.ModalViewRequest {
	v := ImportUpdateModal("", name)
	what := "the text of the message you picked"
	if src.Name != "" {
		what = "the file *" + Escape(clip(src.Name, 200)) + "* from the message you picked"
	}
	intro := section(fmt.Sprintf("This channel runs the launch *%s*: golive brings %s (%s) into it as a newer version of its checklist. "+
		"Items are matched by section and text, and keep their ticks, owners, notes and N/A; new items arrive open, "+
		"items gone from the file are removed. You see every change before anything is updated.", Escape(clip(name, 140)), what, sizeWords(src.Size)))
	var options slack.Block
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == ImportOptionsBlock {
			options = in
		}
	}
	v.PrivateMetadata = clipPlain(meta, maxPrivateMeta)
	v.Blocks.BlockSet = []slack.Block{intro, options}
	return v
}

// ImportUpdatePreview shows what bringing a newer checklist into launch l
// changes, before Confirm applies it: the counts, each change, the other
// changes of the document and the sign-offs and answers it voids. note,
// when not "", says why the preview is shown again.
func ImportUpdatePreview(l *launch.Launch, d launch.Diff, token, note string) slack.ModalViewRequest {
	var blocks []slack.Block
	if note != "" {
		blocks = append(blocks, section(":warning: "+Escape(clip(note, 1000))))
	}
	blocks = append(blocks, section(fmt.Sprintf("*Update %s* from this checklist: *%d added, %d removed, %d reworded*, %d unchanged.",
		Escape(clip(l.Name, 140)), d.Added, d.Removed, d.Reworded, d.Unchanged)))
	if len(d.Changes) > 0 {
		blocks = append(blocks, manyLineBlocks(changeLines(d.Changes), updateChangeBlocks, updateMore("changes"))...)
	}
	if len(d.Other) > 0 {
		lines := []string{"*Other changes*"}
		for _, o := range d.Other {
			lines = append(lines, "• "+Escape(brief(o, updateLineText)))
		}
		blocks = append(blocks, manyLineBlocks(lines, updateOtherBlocks, updateMore("changes"))...)
	}
	var voids []string
	if len(d.Signoffs) > 0 {
		voids = append(voids, "The sign-off of "+Escape(brief(strings.Join(d.Signoffs, ", "), 1000))+" becomes void: the section changed.")
	}
	if len(d.Verdicts) > 0 {
		voids = append(voids, "The answers of "+Escape(brief(strings.Join(d.Verdicts, ", "), 1000))+
			" go back to pending: they were given on the checklist as it was, and the decision rests on what changes.")
	}
	if len(voids) > 0 {
		blocks = append(blocks, lineBlocks(voids, updateVoidBlocks, updateMore("notes"))...)
	}
	blocks = append(blocks, contextBlock("*Confirm* updates the launch and tells the channel. *Back* returns to the form."))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ImportPreviewCallbackID,
		Title:           plain("Update preview"),
		Submit:          plain("Confirm"),
		Close:           plain("Back"),
		PrivateMetadata: clipPlain(token, maxPrivateMeta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// manyLineBlocks is lineBlocks for lists of any length (an update of a
// large checklist may change thousands of items): it finds how many lines
// fit by halving rather than one line at a time.
func manyLineBlocks(lines []string, maxBlocks int, more func(n int) string) []slack.Block {
	if len(chunkLines(lines, maxSectionText)) <= maxBlocks {
		return lineBlocks(lines, maxBlocks, more)
	}
	fits := func(n int) bool {
		return len(chunkLines(append(lines[:n:n], more(len(lines)-n)), maxSectionText)) <= maxBlocks
	}
	lo, hi := 0, len(lines) // fits(lo) holds (maxBlocks >= 1); fits(hi) does not
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	chunks := chunkLines(append(lines[:lo:lo], more(len(lines)-lo)), maxSectionText)
	blocks := make([]slack.Block, len(chunks))
	for i, c := range chunks {
		blocks[i] = section(c)
	}
	return blocks
}

// changeLines is one line per changed item.
func changeLines(changes []launch.Change) []string {
	lines := make([]string, 0, len(changes))
	for _, c := range changes {
		where := Escape(brief(c.Section, 80))
		done := ""
		if c.Done {
			done = " _(done)_"
		}
		switch c.Kind {
		case launch.ChangeAdded:
			lines = append(lines, fmt.Sprintf("➕ *%d* · %s · %s", c.Number, where, Escape(brief(c.After, updateLineText))))
		case launch.ChangeRemoved:
			lines = append(lines, fmt.Sprintf("➖ *%d* · %s · ~%s~%s", c.Number, where, Escape(brief(c.Before, updateLineText)), done))
		case launch.ChangeReworded:
			lines = append(lines, fmt.Sprintf("✏️ *%d* · %s · %s%s\n      → %s", c.Number, where, Escape(brief(c.Before, updateLineText)), done,
				Escape(brief(c.After, updateLineText))))
		}
	}
	return lines
}

// updateMore sums up what the preview has no room for.
func updateMore(what string) func(int) string {
	return func(n int) string {
		return fmt.Sprintf("_… and %d more %s: Confirm applies them too, and the audit log keeps each_", n, what)
	}
}

// ImportUpdateFailed replaces the update's preview when Confirm cannot
// apply it: the preview has no field to show an error under.
func ImportUpdateFailed(reason string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Update the checklist"),
		Close:  plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(":warning: Nothing was updated. " + Escape(clip(reason, 2000)))}},
	}
}
