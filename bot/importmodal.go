package bot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
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

// importDraftTTL is how long a preview waits for Confirm.
const importDraftTTL = time.Hour

// importDownloadTimeout bounds the file's download: the form must be
// answered within Slack's 3 seconds.
const importDownloadTimeout = 2 * time.Second

// importForm is what Confirm needs from the form: the draft's body.
type importForm struct {
	Name      string `json:"name"`
	Date      string `json:"date"`
	Time      string `json:"time"`
	ListItems bool   `json:"list_items"`
	Markdown  string `json:"markdown"`
	// Update is the launch the checklist updates, 0 for a new launch, and
	// Against the digest of the diff its preview showed: Confirm applies
	// that diff and no other.
	Update  int64  `json:"update,omitempty"`
	Against string `json:"against,omitempty"`
}

// onImportSubmit reads the import form, from a file or the paste field, and
// pushes the preview of what it found; field errors keep the form open.
// In a channel that runs a launch, the checklist is a newer version of the
// launch's, and the preview shows what would change. Nothing is created or
// changed before Confirm (onImportConfirm).
func (b *Bot) onImportSubmit(ctx context.Context, k *click) (any, metrics.Outcome) {
	meta, ok := parseImportMeta(k.cb.View.PrivateMetadata)
	if !ok {
		return fieldErrors(map[string]string{render.ImportMarkdownBlock: "This form lost track of its channel. Close it and run the import command again."}), metrics.Invalid
	}
	channel := meta.channel
	var values map[string]map[string]slack.BlockAction
	if k.cb.View.State != nil {
		values = k.cb.View.State.Values
	}
	f := importForm{
		Name:      strings.TrimSpace(launch.StripBidi(inputValue(values, render.ImportNameBlock, render.ImportNameAction))),
		Date:      strings.TrimSpace(inputValue(values, render.ImportDateBlock, render.ImportDateAction)),
		Time:      values[render.ImportTimeBlock][render.ImportTimeAction].SelectedTime,
		ListItems: selected(values, render.ImportOptionsBlock, render.ImportOptionsAction, render.ImportListItems),
	}
	// The launch the channel runs, if any: the checklist then updates it,
	// and the form's name and date (the form for a new launch, opened
	// before that launch started) are not used.
	// Errors about the launch go under the checklist's field; the form
	// for a message's checklist has none, and shows them under its options.
	where := render.ImportFileBlock
	if meta.file != "" || meta.draft != "" {
		where = render.ImportOptionsBlock
	}
	current, err := b.store.LaunchByChannel(ctx, k.team, channel)
	if err != nil && launch.ErrorCode(err) != launch.ENOTFOUND {
		return fieldErrors(map[string]string{where: clipRunes(userMessage(err), maxFieldError)}), outcomeOf(err)
	}
	_, newLaunchForm := values[render.ImportNameBlock]
	var refused error
	if current != nil {
		refused = current.CanUpdate(k.user)
	}
	errs := map[string]string{}
	switch {
	case current == nil:
		f.checkLaunch(b, errs)
	case refused != nil && newLaunchForm:
		// The form for a new launch, opened before this one started, by
		// someone who may not update it.
		return fieldErrors(map[string]string{render.ImportNameBlock: clipRunes(fmt.Sprintf(
			"This channel already has an active launch, “%s” on %s, and a channel can have only one. Archive it first, or import in another channel.", inert(current.Name), current.Date), maxFieldError)}), metrics.Invalid
	case refused != nil:
		return fieldErrors(map[string]string{where: clipRunes(userMessage(refused), maxFieldError)}), metrics.Invalid
	}

	// The checklist comes from the file or the paste field, one of the two,
	// or from the message the shortcut was used on; its errors go under the
	// field it came from, or under the options for the message's (the form
	// has no field for it).
	files := values[render.ImportFileBlock][render.ImportFileAction].Files
	pasted := inputValue(values, render.ImportMarkdownBlock, render.ImportMarkdownAction)
	source := render.ImportMarkdownBlock
	switch {
	case meta.file != "" || meta.draft != "":
		source = render.ImportOptionsBlock
		var md string
		var err error
		if meta.file != "" {
			// Its id only: files.info gives the rest, as for a stub.
			md, err = b.downloadChecklist(ctx, k, slack.File{ID: meta.file, FileAccess: "check_file_info"})
		} else {
			md, err = b.messageText(ctx, k, meta)
		}
		if err != nil {
			errs[source] = clipRunes(err.Error(), maxFieldError)
		}
		f.Markdown = md
	case len(files) > 0 && strings.TrimSpace(pasted) != "":
		errs[render.ImportMarkdownBlock] = "Choose a file or paste a checklist, not both: clear one of the two."
	case len(files) > 1:
		errs[render.ImportFileBlock] = "Choose one file."
	case len(files) == 1:
		source = render.ImportFileBlock
		md, err := b.downloadChecklist(ctx, k, files[0])
		if err != nil {
			errs[source] = clipRunes(err.Error(), maxFieldError)
		}
		f.Markdown = md
	case strings.TrimSpace(pasted) == "":
		errs[render.ImportFileBlock] = "Choose a checklist file, or paste a checklist below."
	default:
		f.Markdown = pasted
	}
	if _, ok := errs[source]; !ok && errs[render.ImportFileBlock] == "" {
		f.Markdown = launch.StripBidi(f.Markdown)
		if _, _, err := f.parse(); err != nil {
			errs[source] = clipRunes(err.Error(), maxFieldError)
		}
	}
	if len(errs) > 0 {
		return fieldErrors(errs), metrics.Invalid
	}
	if current != nil {
		note := ""
		if newLaunchForm {
			note = fmt.Sprintf("This channel already runs the launch “%s”, and a channel has one launch at a time: Confirm updates its checklist from this one rather than starting another launch.", current.Name)
		}
		preview, err := b.updatePreview(ctx, k, current, f, note)
		if err != nil {
			if outcomeOf(err) == metrics.Failed {
				k.log.Error("import: update preview", "err", err)
			}
			return fieldErrors(map[string]string{source: clipRunes(userMessage(err), maxFieldError)}), outcomeOf(err)
		}
		return slack.NewPushViewSubmissionResponse(preview), metrics.OK
	}
	l, rep, err := b.importLaunch(k, channel, f)
	if err != nil {
		return fieldErrors(map[string]string{render.ImportNameBlock: clipRunes(userMessage(err), maxFieldError)}), outcomeOf(err)
	}
	body, err := json.Marshal(f)
	if err != nil {
		return fieldErrors(map[string]string{render.ImportNameBlock: "golive could not keep this checklist for the preview; please try again."}), metrics.Failed
	}
	d := launch.ImportDraft{Token: rand.Text(), TeamID: k.team, ChannelID: channel, UserID: k.user, Body: string(body)}
	if err := b.store.SaveImportDraft(ctx, d, importDraftTTL); err != nil {
		k.log.Error("import: save draft", "err", err)
		return fieldErrors(map[string]string{render.ImportNameBlock: "golive could not keep this checklist for the preview; please try again."}), metrics.Failed
	}
	preview := render.ImportPreview(l, rep, d.Token)
	return slack.NewPushViewSubmissionResponse(&preview), metrics.OK
}

// checkLaunch reads the name, date and time of a new launch from the form,
// leaving an error under each field that needs one.
func (f *importForm) checkLaunch(b *Bot, errs map[string]string) {
	if f.Name == "" {
		errs[render.ImportNameBlock] = "Give the launch a name."
	} else if err := launch.CheckLength("launch name", f.Name, launch.MaxName); err != nil {
		errs[render.ImportNameBlock] = userMessage(err)
	}
	if f.Date == "" {
		errs[render.ImportDateBlock] = "Pick the launch date."
	} else if d, err := launch.ReadDate(f.Date, b.now(), b.location()); err != nil {
		errs[render.ImportDateBlock] = clipRunes(userMessage(err), maxFieldError)
	} else {
		f.Date = d
	}
	if f.Time == "" {
		f.Time = b.reminderTime().String()
	} else if !launchTimePattern.MatchString(f.Time) {
		errs[render.ImportTimeBlock] = "Pick the launch time, as hours and minutes."
	}
}

// updatePreview works out what the form's checklist changes in launch l
// (freshly loaded: it is changed and thrown away), keeps the form as a
// draft with the diff's digest, and returns the preview; note says why it
// is shown, when it needs saying. A checklist with nothing new is an error.
func (b *Bot) updatePreview(ctx context.Context, k *click, l *launch.Launch, f importForm, note string) (*slack.ModalViewRequest, error) {
	list, _, err := f.parse()
	if err != nil {
		return nil, launch.Errorf(launch.EINVALID, "%s", err.Error())
	}
	// Applied to this copy of the launch, the update checks who asks and
	// the limits of the result, as Confirm will.
	diff, _, err := l.UpdateChecklist(k.user, list, b.now())
	if err != nil {
		return nil, err
	}
	if diff.Empty() {
		return nil, launch.Errorf(launch.EINVALID, "This checklist has nothing new for “%s”: its %d items are all there already, as they are. Nothing to update.",
			l.Name, diff.Unchanged)
	}
	f.Update, f.Against = l.ID, diff.Digest()
	body, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("keep the update for its preview: %w", err)
	}
	d := launch.ImportDraft{Token: rand.Text(), TeamID: k.team, ChannelID: l.ChannelID, UserID: k.user, Body: string(body)}
	if err := b.store.SaveImportDraft(ctx, d, importDraftTTL); err != nil {
		return nil, fmt.Errorf("keep the update for its preview: %w", err)
	}
	v := render.ImportUpdatePreview(l, diff, d.Token, note)
	return &v, nil
}

// errPreviewStale stops an update whose diff is no longer the one its
// preview showed.
var errPreviewStale = errors.New("the launch changed since the preview")

// onUpdateConfirm applies the update the preview showed, once, and only
// if it is still what the preview showed: when the launch changed in
// between, the new preview replaces the old one, and nothing is applied.
func (b *Bot) onUpdateConfirm(ctx context.Context, k *click, d launch.ImportDraft, f importForm) (any, metrics.Outcome) {
	list, _, err := f.parse()
	if err != nil {
		return updateGone(err.Error()), metrics.Invalid
	}
	var diff launch.Diff
	l, err := changeWithin(b, ctx, func(ctx context.Context) (*launch.Launch, error) {
		return b.store.UpdateFromDraft(ctx, f.Update, d.Token, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			if l.Archived || l.ChannelID != d.ChannelID || l.TeamID != d.TeamID {
				return nil, archivedMeanwhile(l)
			}
			got, events, err := l.UpdateChecklist(k.user, list, now)
			if err != nil {
				return nil, err
			}
			if got.Digest() != f.Against {
				return nil, errPreviewStale
			}
			diff = got
			return events, nil
		})
	})
	switch {
	case errors.Is(err, errPreviewStale):
		current, lerr := b.store.LaunchByID(ctx, f.Update)
		if lerr != nil {
			return updateGone(userMessage(lerr)), outcomeOf(lerr)
		}
		preview, perr := b.updatePreview(ctx, k, current, f,
			"The launch changed since that preview, so nothing was updated. Here is what the update does now; Confirm applies this.")
		if perr != nil {
			return updateGone("The launch changed since that preview, so nothing was updated. " + userMessage(perr)), outcomeOf(perr)
		}
		return slack.NewUpdateViewSubmissionResponse(preview), metrics.Invalid
	case err != nil:
		// Another Confirm of the same draft may have won the race.
		if again, rerr := b.store.ImportDraftByToken(ctx, d.Token); rerr == nil && again.LaunchID != 0 {
			return slack.NewClearViewSubmissionResponse(), metrics.OK
		}
		if outcomeOf(err) == metrics.Failed {
			k.log.Error("import: update launch", "err", err)
		}
		return updateGone(userMessage(err)), outcomeOf(err)
	}
	k.log.Info("launch updated from a newer checklist", "launch", l.ID, "added", diff.Added, "removed", diff.Removed, "reworded", diff.Reworded)
	b.syncReminders(k.log, l.ID)
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> updated the checklist", k.user))
	return slack.NewClearViewSubmissionResponse(), metrics.OK
}

// launchTimePattern is a time picker's HH:mm.
var launchTimePattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// parse reads the form's checklist; its errors are written for the user.
func (f importForm) parse() (*checklist.Checklist, *checklist.ImportReport, error) {
	list, rep, err := checklist.ParseWith([]byte(f.Markdown), checklist.ParseOptions{ListItems: f.ListItems})
	if err != nil {
		msg := "This is not a checklist golive can read: " + err.Error() + "."
		if e, ok := checklist.IsNoItems(err); ok && e.ListItems > 0 {
			msg += " Tick \"Import every list item\" below to import them."
		}
		return nil, nil, errors.New(msg)
	}
	if err := launch.CheckChecklist(list); err != nil {
		return nil, nil, errors.New(userMessage(err))
	}
	return list, rep, nil
}

// importLaunch is the launch the form describes, not stored.
func (b *Bot) importLaunch(k *click, channel string, f importForm) (*launch.Launch, *checklist.ImportReport, error) {
	list, rep, err := f.parse()
	if err != nil {
		return nil, nil, launch.Errorf(launch.EINVALID, "%s", err.Error())
	}
	l := &launch.Launch{
		TeamID:    k.team,
		ChannelID: channel,
		Name:      f.Name,
		Date:      f.Date,
		Time:      f.Time,
		Timezone:  b.timezone,
		Creator:   k.user,
		DatedAt:   b.now(),
		Checklist: list,
	}
	if err := l.Validate(); err != nil {
		return nil, nil, err
	}
	return l, rep, nil
}

// onImportConfirm creates the launch the preview showed, once: a second
// Confirm (a double click, Slack's retry) finds the draft used and closes.
func (b *Bot) onImportConfirm(ctx context.Context, k *click) (any, metrics.Outcome) {
	d, err := b.store.ImportDraftByToken(ctx, k.cb.View.PrivateMetadata)
	if err != nil {
		return importGone(userMessage(err)), outcomeOf(err)
	}
	if d.TeamID != k.team || d.UserID != k.user {
		return importGone("This preview belongs to someone else's import. Run the import command to start your own."), metrics.Invalid
	}
	if d.LaunchID != 0 {
		return slack.NewClearViewSubmissionResponse(), metrics.OK
	}
	var f importForm
	if err := json.Unmarshal([]byte(d.Body), &f); err != nil {
		k.log.Error("import: read draft", "err", err)
		return importGone("golive could not read this preview back; run the import command again."), metrics.Failed
	}
	if f.Update != 0 {
		return b.onUpdateConfirm(ctx, k, d, f)
	}
	l, rep, err := b.importLaunch(k, d.ChannelID, f)
	if err != nil {
		return importGone(userMessage(err)), outcomeOf(err)
	}
	l, err = changeWithin(b, ctx, func(ctx context.Context) (*launch.Launch, error) {
		created := *l
		if err := TellImport(&created, k.user); err != nil {
			return nil, err
		}
		if err := b.store.CreateLaunchFromDraft(ctx, &created, k.user, d.Token); err != nil {
			return nil, err
		}
		return &created, nil
	})
	if err != nil {
		// Another Confirm of the same draft may have won the race.
		if again, rerr := b.store.ImportDraftByToken(ctx, d.Token); rerr == nil && again.LaunchID != 0 {
			return slack.NewClearViewSubmissionResponse(), metrics.OK
		}
		if outcomeOf(err) == metrics.Failed {
			k.log.Error("import: create launch", "err", err)
		}
		return importGone(userMessage(err)), outcomeOf(err)
	}
	k.log.Info("launch imported", "launch", l.ID, "items", len(l.Checklist.Items()))
	b.syncReminders(k.log, l.ID)
	b.later(func(ctx context.Context) {
		b.tellUser(ctx, k.log, k.team, d.ChannelID, k.user, render.ImportResult(l, rep))
	})
	return slack.NewClearViewSubmissionResponse(), metrics.OK
}

// importGone replaces the preview with why nothing was created: it has no
// field to show an error under.
func importGone(reason string) *slack.ViewSubmissionResponse {
	v := render.ImportFailed(reason)
	return slack.NewUpdateViewSubmissionResponse(&v)
}

// updateGone replaces an update's preview with why nothing was updated.
func updateGone(reason string) *slack.ViewSubmissionResponse {
	v := render.ImportUpdateFailed(reason)
	return slack.NewUpdateViewSubmissionResponse(&v)
}

// errFileTooLarge stops a download past render.ImportFileMaxBytes.
var errFileTooLarge = errors.New("file too large")

// cappedBuffer keeps at most max bytes and fails past them.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		return 0, errFileTooLarge
	}
	return c.buf.Write(p)
}

// downloadChecklist fetches a file chosen in the form with the bot token,
// within a size and a time limit, and refuses what is not text. Its errors
// are written for the user.
func (b *Bot) downloadChecklist(ctx context.Context, k *click, file slack.File) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, importDownloadTimeout)
	defer cancel()
	// A file from a Slack Connect channel may come as a stub: files.info
	// has the rest.
	if file.FileAccess == "check_file_info" || file.URLPrivateDownload == "" {
		info, _, _, err := b.api(ctx, k.team).GetFileInfoContext(ctx, file.ID, 0, 0)
		if err != nil {
			k.log.Warn("import: file info", "file", file.ID, "err", err)
			return "", errors.New("golive could not find this file in Slack. Choose it again, or paste the checklist.")
		}
		file = *info
	}
	if err := fileRefusal(file); err != nil {
		return "", err
	}
	if file.URLPrivateDownload == "" {
		return "", errors.New("Slack did not give golive this file's address. Choose the file again, or paste the checklist.")
	}
	w := &cappedBuffer{max: render.ImportFileMaxBytes}
	if err := b.api(ctx, k.team).GetFileContext(ctx, file.URLPrivateDownload, w); err != nil {
		switch {
		case errors.Is(err, errFileTooLarge):
			return "", errTooLarge
		case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
			return "", errors.New("Slack did not send the file in time. Try again, or paste the checklist.")
		}
		k.log.Warn("import: download file", "file", file.ID, "err", err)
		return "", errors.New("golive could not download this file from Slack. Try again; if it keeps failing, the app may need reinstalling with the files:read permission.")
	}
	data := w.buf.Bytes()
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return "", errors.New("This file is not text: choose a Markdown (.md) or text (.txt) file.")
	}
	return string(data), nil
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
