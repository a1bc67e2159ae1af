package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// Slack errors that mean we cannot post in a channel at all.
var cannotPost = map[string]bool{
	"not_in_channel":    true,
	"channel_not_found": true,
	"is_archived":       true,
}

const msgNotInChannel = "I cannot post in this channel yet. Add me with `/invite @golive`, then run the command again."

// slackErrorCode returns Slack's error code ("not_in_channel") of a Web
// API error, "" for other errors.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// messageOptions are the options of every message we post or update: our
// text is escaped already, and links in user text never unfurl.
func messageOptions(msg render.Message) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

// postTracked posts a live message in the launch's channel and records it,
// so that later changes to the launch refresh it in place. When Slack
// refuses, the user hears why through responseURL; when it rate-limits the
// post, the *slack.RateLimitedError is returned for the queue to try again.
func (b *Bot) postTracked(ctx context.Context, log *slog.Logger, l *launch.Launch, kind, view string, msg render.Message, responseURL string) error {
	ctx, cancel := context.WithTimeout(ctx, slackTimeout)
	defer cancel()
	_, ts, err := b.api(ctx, l.TeamID).PostMessageContext(ctx, l.ChannelID, messageOptions(msg)...)
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return limited
	}
	if err != nil {
		log.Error("post message", "launch", l.ID, "kind", kind, "err", err)
		text := "Slack did not take the message; please try again in a moment."
		if cannotPost[slackErrorCode(err)] {
			text = msgNotInChannel
		}
		b.respond(ctx, log, responseURL, render.Notice(text))
		return nil
	}
	m := launch.Message{LaunchID: l.ID, ChannelID: l.ChannelID, TS: ts, Kind: kind, View: view, PostedAt: b.now()}
	if err := b.store.SaveMessage(ctx, m); err != nil {
		// The message stands; it just will not follow later changes.
		log.Error("record posted message", "launch", l.ID, "ts", ts, "err", err)
	}
	return nil
}

// webhookAnswer is a message posted to a response_url.
type webhookAnswer struct {
	ResponseType    string        `json:"response_type,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original"`
}

// respond posts an ephemeral message to a response_url: a slash command's
// or a click's. Slack accepts five posts within 30 minutes on each.
func (b *Bot) respond(ctx context.Context, log *slog.Logger, responseURL string, msg render.Message) {
	b.respondAs(ctx, log, responseURL, msg, false)
}

// respondAs posts to a response_url, for the user alone or, with
// inChannel, for the whole channel.
func (b *Bot) respondAs(ctx context.Context, log *slog.Logger, responseURL string, msg render.Message, inChannel bool) {
	if responseURL == "" {
		log.Warn("no response_url to answer through", "text_len", len(msg.Text))
		return
	}
	kind := slack.ResponseTypeEphemeral
	if inChannel {
		kind = slack.ResponseTypeInChannel
	}
	b.postResponse(ctx, log, responseURL, webhookAnswer{ResponseType: kind, Text: msg.Text, Blocks: msg.Blocks})
}

// postResponse posts answer to a response_url. The URL stays out of the
// logs: whoever holds it may post in the channel for 30 minutes.
func (b *Bot) postResponse(ctx context.Context, log *slog.Logger, responseURL string, answer webhookAnswer) {
	body, err := json.Marshal(answer)
	if err != nil {
		log.Error("encode answer", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		log.Error("answer through response_url", "err", withoutURL(err))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		b.metrics.SlackCall("response_url", "transport")
		log.Error("answer through response_url", "err", withoutURL(err))
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		b.metrics.SlackCall("response_url", httpErrorCode(resp.StatusCode))
		log.Error("answer through response_url", "status", resp.StatusCode)
		return
	}
	b.metrics.SlackCall("response_url", "")
}

// withoutURL drops the URL an HTTP client error quotes, keeping what went wrong.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s response_url: %w", ue.Op, ue.Err)
	}
	return err
}

// httpErrorCode names a failed HTTP status the way the metrics do.
func httpErrorCode(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "ratelimited"
	case status >= 500:
		return "http_5xx"
	default:
		return "http_4xx"
	}
}

// tellUser shows msg to user only: ephemerally in the channel, or in a
// direct message when the bot cannot post ephemerals there.
func (b *Bot) tellUser(ctx context.Context, log *slog.Logger, team, channel, user string, msg render.Message) {
	ctx, cancel := context.WithTimeout(ctx, slackTimeout)
	defer cancel()
	if channel != "" {
		_, err := b.api(ctx, team).PostEphemeralContext(ctx, channel, user, messageOptions(msg)...)
		if err == nil {
			return
		}
		log.Warn("ephemeral message; sending a direct message instead", "err", err)
	}
	b.directMessage(ctx, log, team, user, msg)
}

// directMessage posts msg in the bot's direct conversation with user.
func (b *Bot) directMessage(ctx context.Context, log *slog.Logger, team, user string, msg render.Message) {
	im, _, _, err := b.api(ctx, team).OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		log.Error("open a direct message", "err", err)
		return
	}
	if _, _, err := b.api(ctx, team).PostMessageContext(ctx, im.ID, messageOptions(msg)...); err != nil {
		log.Error("direct message", "err", err)
	}
}

// mrkdwnSection is a section block of mrkdwn text (escaped by the caller).
func mrkdwnSection(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}
