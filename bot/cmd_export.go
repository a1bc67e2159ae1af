package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/export"
	"github.com/golive/golive/internal/launch"
)

// Sizes of an export sent as messages: each code block stays inside a
// section's 3000 characters (fences and escapes included), a few per message.
const (
	exportBlockChars    = 2900
	exportBlocksPerPost = 4
	// exportViaResponseURL is how many posts a response_url takes (Slack
	// allows five); longer exports go to the user's direct messages.
	exportViaResponseURL = 5
)

// exporters are the formats of export, by name.
var exporters = map[string]func(l *launch.Launch, now time.Time) ([]byte, error){
	"json": export.JSON,
	"csv":  func(l *launch.Launch, now time.Time) ([]byte, error) { return export.CSV(l, now) },
	"md":   func(l *launch.Launch, _ time.Time) ([]byte, error) { return export.Markdown(l) },
}

// cmdExport shares the launch's full state as a file in the channel. When
// Slack refuses the upload (an install from before files:write, a channel
// the bot is not in), it sends the same bytes as messages the user can copy:
// code blocks, split across messages when long, never cut.
func (b *Bot) cmdExport(ctx context.Context, c *call, args []string) reply {
	format := "json"
	if len(args) > 0 {
		format = strings.ToLower(args[0])
	}
	toBytes, ok := exporters[format]
	if len(args) > 1 || !ok {
		return b.usage(c, "export", "Choose json, csv or md.")
	}
	l, err := b.channelLaunch(ctx, c)
	if err != nil {
		return b.fail(c, err)
	}
	b.later(func(ctx context.Context) {
		data, err := toBytes(l, b.now())
		if err != nil {
			c.log.Error("export", "launch", l.ID, "format", format, "err", err)
			b.respond(ctx, c.log, c.responseURL, render.Notice(launch.ErrorMessage(err)))
			return
		}
		err = b.uploadExport(ctx, l, format, data)
		if err == nil {
			return
		}
		c.log.Warn("export upload; sending messages instead", "launch", l.ID, "format", format, "err", err)
		why := uploadFailed(err)
		posts := exportPosts(l.Name, format, string(data))
		// The notice takes one of the response_url's posts.
		if len(posts) < exportViaResponseURL {
			b.respond(ctx, c.log, c.responseURL, render.Notice(why+" Here is the export as messages."))
			for _, p := range posts {
				b.respond(ctx, c.log, c.responseURL, p)
			}
			return
		}
		b.respond(ctx, c.log, c.responseURL, render.Notice(fmt.Sprintf(
			"%s The %s export takes %d messages; I am sending them to you in a direct message.", why, format, len(posts))))
		ctx, cancel := context.WithTimeout(ctx, slackTimeout)
		defer cancel()
		for _, p := range posts {
			b.directMessage(ctx, c.log, c.team, c.user, p)
		}
	})
	return notice(fmt.Sprintf("Preparing the %s export of “%s”…", format, inert(l.Name)))
}

// exportFiles are the file name extension and Slack snippet type of each
// format.
var exportFiles = map[string]struct{ ext, snippet string }{
	"json": {"json", "json"},
	"csv":  {"csv", "csv"},
	"md":   {"md", "markdown"},
}

// uploadExport shares data as a file in the launch's channel
// (files.getUploadURLExternal, the upload, files.completeUploadExternal).
func (b *Bot) uploadExport(ctx context.Context, l *launch.Launch, format string, data []byte) error {
	if len(data) == 0 {
		return errors.New("empty export")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*slackTimeout)
	defer cancel()
	kind := exportFiles[format]
	_, err := b.api(ctx, l.TeamID).UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:         bytes.NewReader(data),
		FileSize:       len(data),
		Filename:       exportFileName(l.Name, kind.ext),
		Title:          fmt.Sprintf("golive export of %s (%s)", l.Name, format),
		SnippetType:    kind.snippet,
		Channel:        l.ChannelID,
		InitialComment: render.Escape(fmt.Sprintf("Export of “%s” (%s).", l.Name, format)),
	})
	if err != nil {
		return fmt.Errorf("upload the %s export: %w", format, err)
	}
	return nil
}

// exportFileName is a file name made of the launch's name: letters and
// digits kept, every other run of characters a single dash.
func exportFileName(name, ext string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			sb.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	base := sb.String()
	if base == "" {
		base = "launch"
	}
	if utf8.RuneCountInString(base) > 60 {
		base = string([]rune(base)[:60])
	}
	return "golive-" + base + "." + ext
}

// uploadFailed tells the user why the export comes as messages.
func uploadFailed(err error) string {
	switch code := slackErrorCode(err); code {
	case "missing_scope":
		return "I cannot upload files in this workspace yet: golive needs the `files:write` scope. " +
			"Ask an admin to reinstall the app (Slack app settings > Install App > Reinstall) for file exports."
	case "not_in_channel", "channel_not_found":
		return "I cannot share a file in this channel: add me with `/invite @golive` for file exports."
	default:
		return "I could not upload the export as a file."
	}
}

// exportPosts lays data out as code blocks, at most exportBlocksPerPost per
// message, each message saying which part it is.
func exportPosts(name, format, data string) []render.Message {
	chunks := codeChunks(data, exportBlockChars)
	var posts []render.Message
	for i := 0; i < len(chunks); i += exportBlocksPerPost {
		posts = append(posts, render.Message{Blocks: nil})
		p := &posts[len(posts)-1]
		for _, ch := range chunks[i:min(i+exportBlocksPerPost, len(chunks))] {
			p.Blocks = append(p.Blocks, mrkdwnSection("```"+ch+"```"))
		}
	}
	for i := range posts {
		title := fmt.Sprintf("golive export of %s (%s), part %d of %d", name, format, i+1, len(posts))
		posts[i].Text = render.Escape(title)
		ctx := slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, render.Escape(title), false, false))
		posts[i].Blocks = append([]slack.Block{ctx}, posts[i].Blocks...)
	}
	return posts
}

// fence keeps data from closing its code block early: a zero-width space
// splits any run of three backticks.
var fence = strings.NewReplacer("```", "`\u200b`\u200b`")

// codeChunks splits data into pieces whose escaped form, with its fences,
// fits in max characters; it splits between lines where it can, inside a
// line when it must, and never drops a character.
func codeChunks(data string, max int) []string {
	room := max - 6 // the two fences
	var out []string
	var cur strings.Builder
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		safe := render.Escape(fence.Replace(line))
		size := utf8.RuneCountInString(safe)
		if n+size <= room {
			cur.WriteString(safe)
			n += size
			continue
		}
		flush()
		for size > room {
			cut := cutPoint(safe, room)
			out = append(out, safe[:cut])
			safe = safe[cut:]
			size = utf8.RuneCountInString(safe)
		}
		cur.WriteString(safe)
		n = size
	}
	flush()
	if len(out) == 0 {
		out = []string{" "}
	}
	return out
}

// cutPoint returns the byte offset of at most max runes into s, moved back
// so as not to split an entity such as "&amp;".
func cutPoint(s string, max int) int {
	i, runes := 0, 0
	for i < len(s) && runes < max {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		runes++
	}
	if amp := strings.LastIndexByte(s[:i], '&'); amp >= 0 && !strings.Contains(s[amp:i], ";") && amp > 0 {
		i = amp
	}
	return i
}
