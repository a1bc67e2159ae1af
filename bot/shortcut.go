package bot

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// ShortcutImport is the callback_id of the message shortcut "Start a
// launch" in manifest.yml.
const ShortcutImport = "start_launch_from_message"

// shortcutFunc handles a message shortcut; its acknowledgement is empty, and
// it answers through the modal it opens or the response_url.
type shortcutFunc func(ctx context.Context, k *click) metrics.Outcome

// shortcutTable routes message shortcuts by callback_id.
func (b *Bot) shortcutTable() map[string]shortcutFunc {
	return map[string]shortcutFunc{ShortcutImport: b.onImportShortcut}
}

// importStart is a request to open the import form, from the slash command
// or the message shortcut: both go through startImport, so both get the
// same checks and the same form.
type importStart struct {
	team, channel, user    string
	triggerID, responseURL string
	log                    *slog.Logger
	// from is the checklist the message shortcut picked; nil for the
	// slash command, whose form asks for a file or a paste.
	from *importFrom
}

// importFrom is a checklist found in a message: one of its files, or its text.
type importFrom struct {
	file slack.File
	text string
}

// startImport opens the import form: for a new launch, or, from the slash
// command in a channel that runs one, for a newer version of its checklist
// (its creator only). The form opens after the acknowledgement but at once: the
// trigger id expires after 3 s.
func (b *Bot) startImport(ctx context.Context, s importStart) error {
	l, err := withinValue(b, ctx, func(ctx context.Context) (*launch.Launch, error) {
		return b.store.LaunchByChannel(ctx, s.team, s.channel)
	})
	if err != nil && launch.ErrorCode(err) != launch.ENOTFOUND {
		return err
	}
	running := err == nil
	if running {
		// The channel runs a launch: the form takes a newer version of its
		// checklist, and only the creator may bring one in.
		if err := l.CanUpdate(s.user); err != nil {
			return err
		}
	}
	var view slack.ModalViewRequest
	switch {
	case s.from != nil:
		meta, src, err := b.importSourceOf(ctx, s)
		if err != nil {
			return err
		}
		view = render.ImportModalFrom(meta, src)
		if running {
			view = render.ImportUpdateModalFrom(meta, l.Name, src)
		}
	case running:
		view = render.ImportUpdateModal(s.channel, l.Name)
	default:
		view = render.ImportModal(s.channel)
	}
	b.urgent(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := b.api(ctx, s.team).OpenViewContext(ctx, s.triggerID, view); err != nil {
			s.log.Error("open import form", "err", err)
			b.respond(ctx, s.log, s.responseURL, render.Notice("I could not open the import form; please try again."))
		}
	})
	return nil
}

// importSourceOf keeps a checklist found in a message for the form: a
// file travels as its id, downloaded on submit; a text is kept as a draft,
// since it may be longer than a modal's private_metadata. It returns the
// form's private_metadata and what the form says of the checklist.
func (b *Bot) importSourceOf(ctx context.Context, s importStart) (string, render.ImportSource, error) {
	if s.from.text == "" {
		meta := importMeta{channel: s.channel, file: s.from.file.ID}
		return meta.String(), render.ImportSource{Name: s.from.file.Name, Size: s.from.file.Size}, nil
	}
	body, err := json.Marshal(importForm{Markdown: s.from.text})
	if err != nil {
		return "", render.ImportSource{}, fmt.Errorf("keep the message's checklist: %w", err)
	}
	d := launch.ImportDraft{Token: rand.Text(), TeamID: s.team, ChannelID: s.channel, UserID: s.user, Body: string(body)}
	if err := b.within(ctx, func(ctx context.Context) error { return b.store.SaveImportDraft(ctx, d, importDraftTTL) }); err != nil {
		return "", render.ImportSource{}, fmt.Errorf("keep the message's checklist: %w", err)
	}
	meta := importMeta{channel: s.channel, draft: d.Token}
	return meta.String(), render.ImportSource{Size: len(s.from.text)}, nil
}

// onImportShortcut is "Start a launch" on a message: the import form opens
// with the message's checklist file (or its text) already chosen. A message
// without a usable checklist gets the reason, privately.
func (b *Bot) onImportShortcut(ctx context.Context, k *click) metrics.Outcome {
	if !channelIDPattern.MatchString(k.channel) {
		b.tellClicker(k, "golive cannot tell which channel this message is in, so nothing was done. Use the shortcut on a message in the launch's channel.")
		return metrics.Invalid
	}
	from, err := messageChecklist(&k.cb.Message)
	if err != nil {
		b.tellClicker(k, err.Error())
		return metrics.Invalid
	}
	err = b.startImport(ctx, importStart{team: k.team, channel: k.channel, user: k.user,
		triggerID: k.triggerID, responseURL: k.responseURL, log: k.log, from: from})
	if err != nil {
		if outcomeOf(err) == metrics.Failed {
			k.log.Error("import shortcut", "err", err)
		}
		b.tellClicker(k, userMessage(err))
		return outcomeOf(err)
	}
	return metrics.OK
}

// errNoChecklist answers the shortcut on a message with no checklist in it.
var errNoChecklist = errors.New("This message has no checklist golive can import: no Markdown (.md) or text (.txt) file, and its text has no `- [ ]` items. " +
	"Use the shortcut on the message that shares the checklist file, or run `/golive import` to choose a file or paste a checklist.")

// messageChecklist finds the checklist in a message: its first file golive
// can import or, failing that, its text when the text is a checklist. Its
// errors are written for the user and give the reason a file is refused.
func messageChecklist(m *slack.Message) (*importFrom, error) {
	var refused error
	for _, f := range m.Files {
		if err := fileRefusal(f); err != nil {
			refused = cmp.Or(refused, fmt.Errorf("%s: %w Use the shortcut on a message with a Markdown file, or run `/golive import`.", clipRunes(inert(f.Name), 80), err))
			continue
		}
		return &importFrom{file: f}, nil
	}
	if text := launch.StripBidi(messageMarkdown(m.Text)); strings.TrimSpace(text) != "" {
		if _, _, err := checklist.Parse([]byte(text)); err == nil {
			return &importFrom{text: text}, nil
		}
	}
	return nil, cmp.Or(refused, errNoChecklist)
}

// fileRefusal says why golive cannot import a file, from what Slack says of
// it, or nil when it may; its errors are written for the user. The
// download checks the bytes again.
func fileRefusal(f slack.File) error {
	switch f.Mode {
	case "tombstone":
		return errors.New("This file was deleted.")
	case "hidden_by_limit":
		return errors.New("Slack hides this file, past the workspace's plan limits.")
	}
	if f.Size > render.ImportFileMaxBytes {
		return errTooLarge
	}
	if m := strings.ToLower(f.Mimetype); m != "" && !strings.HasPrefix(m, "text/") {
		return fmt.Errorf("This file is %s, not text: choose a Markdown (.md) or text (.txt) file.", clipRunes(inert(f.Mimetype), 80))
	}
	return nil
}

// errTooLarge refuses a file past render.ImportFileMaxBytes.
var errTooLarge = fmt.Errorf("This file is larger than %d KB, golive's limit for a checklist. Split it, or trim what is not a checklist.", render.ImportFileMaxBytes/1024)

// slackBullet is a list marker in a message's text: Slack's composer turns
// "- " typed at a line's start into a list, whose text shows bullets.
var slackBullet = regexp.MustCompile(`(?m)^(\s*)[•◦▪▫] `)

// messageMarkdown is a message's text as the Markdown its author typed:
// Slack escapes &, < and > in a message's text, and shows lists as bullets.
func messageMarkdown(text string) string {
	text = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
	return slackBullet.ReplaceAllString(text, "$1- ")
}

// importMeta is what the import form's private_metadata carries: its
// channel and, for a checklist picked by the shortcut, where it is.
type importMeta struct {
	channel string
	file    string // a file id, downloaded on submit
	draft   string // an import draft's token, holding a message's text
}

// String is the private_metadata: "C123", "C123 file F123" or "C123 text TOKEN".
func (m importMeta) String() string {
	switch {
	case m.file != "":
		return m.channel + " file " + m.file
	case m.draft != "":
		return m.channel + " text " + m.draft
	}
	return m.channel
}

var (
	fileIDPattern     = regexp.MustCompile(`^F[A-Z0-9]{1,30}$`)
	draftTokenPattern = regexp.MustCompile(`^[A-Z2-7]{1,64}$`)
)

// parseImportMeta reads private_metadata back: it comes in a payload, so it
// is checked like input.
func parseImportMeta(s string) (importMeta, bool) {
	f := strings.Fields(s)
	if len(f) == 0 || !channelIDPattern.MatchString(f[0]) {
		return importMeta{}, false
	}
	m := importMeta{channel: f[0]}
	switch {
	case len(f) == 1:
		return m, true
	case len(f) == 3 && f[1] == "file" && fileIDPattern.MatchString(f[2]):
		m.file = f[2]
		return m, true
	case len(f) == 3 && f[1] == "text" && draftTokenPattern.MatchString(f[2]):
		m.draft = f[2]
		return m, true
	}
	return importMeta{}, false
}

// messageText is the text the shortcut kept for the form in meta, for its
// user only. Its errors are written for the user.
func (b *Bot) messageText(ctx context.Context, k *click, meta importMeta) (string, error) {
	d, err := b.store.ImportDraftByToken(ctx, meta.draft)
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		return "", errors.New("This form has expired. Close it and use the shortcut on the message again.")
	} else if err != nil {
		k.log.Error("import: read the message's text", "err", err)
		return "", errors.New("golive could not read the message's checklist back; please try again.")
	}
	if d.TeamID != k.team || d.UserID != k.user || d.ChannelID != meta.channel {
		return "", errors.New("This form belongs to someone else's import. Use the shortcut on the message to start your own.")
	}
	var f importForm
	if err := json.Unmarshal([]byte(d.Body), &f); err != nil {
		k.log.Error("import: decode the message's text", "err", err)
		return "", errors.New("golive could not read the message's checklist back; please try again.")
	}
	return f.Markdown, nil
}
