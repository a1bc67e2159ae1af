package bot

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// channelIDPattern is what a channel id in private_metadata must look like:
// it comes back from Slack in the payload, so it is checked like input.
var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]{1,30}$`)

// maxFieldError keeps a field error short enough for the modal.
const maxFieldError = 300

// onImportSubmit creates a launch from the import form: field errors keep
// the form open; on success it closes, and the import report goes to the
// importer alone.
func (b *Bot) onImportSubmit(ctx context.Context, k *click) (any, metrics.Outcome) {
	channel := k.cb.View.PrivateMetadata
	if !channelIDPattern.MatchString(channel) {
		return fieldErrors(map[string]string{render.ImportMarkdownBlock: "This form lost track of its channel. Close it and run the import command again."}), metrics.Invalid
	}
	var values map[string]map[string]slack.BlockAction
	if k.cb.View.State != nil {
		values = k.cb.View.State.Values
	}
	name := strings.TrimSpace(launch.StripBidi(inputValue(values, render.ImportNameBlock, render.ImportNameAction)))
	date := strings.TrimSpace(inputValue(values, render.ImportDateBlock, render.ImportDateAction))
	md := launch.StripBidi(inputValue(values, render.ImportMarkdownBlock, render.ImportMarkdownAction))

	errs := map[string]string{}
	if name == "" {
		errs[render.ImportNameBlock] = "Give the launch a name."
	} else if err := launch.CheckLength("launch name", name, launch.MaxName); err != nil {
		errs[render.ImportNameBlock] = userMessage(err)
	}
	now := b.now()
	if date == "" {
		errs[render.ImportDateBlock] = "Pick the launch date."
	} else if d, err := launch.ReadDate(date, now, b.location()); err != nil {
		errs[render.ImportDateBlock] = clipRunes(userMessage(err), maxFieldError)
	} else {
		date = d
	}
	opt := checklist.ParseOptions{ListItems: selected(values, render.ImportOptionsBlock, render.ImportOptionsAction, render.ImportListItems)}
	list, rep, err := checklist.ParseWith([]byte(md), opt)
	if err != nil {
		// Parse's errors are written for the user.
		msg := "This is not a checklist golive can read: " + err.Error() + "."
		if e, ok := checklist.IsNoItems(err); ok && e.ListItems > 0 {
			msg += " Tick \"Import every list item\" below to import them."
		}
		errs[render.ImportMarkdownBlock] = clipRunes(msg, maxFieldError)
	} else if err := launch.CheckChecklist(list); err != nil {
		errs[render.ImportMarkdownBlock] = clipRunes(userMessage(err), maxFieldError)
	}
	if len(errs) > 0 {
		return fieldErrors(errs), metrics.Invalid
	}
	l := &launch.Launch{
		TeamID:    k.team,
		ChannelID: channel,
		Name:      name,
		Date:      date,
		Time:      b.reminderTime().String(),
		Timezone:  b.timezone,
		Creator:   k.user,
		DatedAt:   now,
		Checklist: list,
	}
	if err := l.Validate(); err != nil {
		return fieldErrors(map[string]string{render.ImportNameBlock: clipRunes(userMessage(err), maxFieldError)}), outcomeOf(err)
	}
	l, err = b.createLaunch(ctx, l, k.user)
	if err != nil {
		if outcomeOf(err) == metrics.Failed {
			k.log.Error("import: create launch", "err", err)
		}
		return fieldErrors(map[string]string{render.ImportNameBlock: clipRunes(userMessage(err), maxFieldError)}), outcomeOf(err)
	}
	k.log.Info("launch imported", "launch", l.ID, "items", len(list.Items()))
	b.syncReminders(k.log, l.ID)
	b.later(func(ctx context.Context) {
		b.tellUser(ctx, k.log, channel, k.user, render.ImportResult(l, rep))
		b.tellChannel(ctx, k.log, l, ImportNotice(l, k.user))
	})
	return nil, metrics.OK
}

// inputValue reads a text input or a date picker from a submitted view.
func inputValue(values map[string]map[string]slack.BlockAction, block, action string) string {
	a, ok := values[block][action]
	if !ok {
		return ""
	}
	if a.Value != "" {
		return a.Value
	}
	return a.SelectedDate
}

// selected tells whether a checkbox option of a submitted view is ticked.
func selected(values map[string]map[string]slack.BlockAction, block, action, option string) bool {
	for _, o := range values[block][action].SelectedOptions {
		if o.Value == option {
			return true
		}
	}
	return false
}

// fieldErrors keeps the modal open with a message under each field.
func fieldErrors(errs map[string]string) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(errs)
}

// clipRunes shortens s to at most n characters.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
