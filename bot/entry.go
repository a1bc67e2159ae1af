package bot

import (
	"context"
	"runtime/debug"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/golive/golive/bot/render"
)

// The bot's entry points: every transport (slackhttp, slacksocket, and the
// console through slackhttp) verifies and parses what Slack sends in its
// own way, then hands it here. A transport checks authenticity (a
// signature, an authenticated connection); the bot checks the rest.

// msgCrashed is what a user sees when golive itself failed; the detail
// (with its stack) goes to the log only.
const msgCrashed = "Something went wrong on our side. Please try again; if it keeps happening, tell whoever runs golive."

// crashed is the acknowledgement of a request whose handler panicked: a
// plain ephemeral apology (Slack shows it to the user) instead of a dropped
// connection or envelope.
var crashed = map[string]string{"response_type": "ephemeral", "text": msgCrashed}

// Command handles a verified slash command and returns the
// acknowledgement's body (nil for an empty one). It returns an error, and
// does nothing, when the command does not say its team, channel and user:
// the transport refuses it.
func (b *Bot) Command(ctx context.Context, s slack.SlashCommand) (ack any, err error) {
	if err := commandIdentity(s); err != nil {
		return nil, err
	}
	defer b.apologize("command", &ack)
	if refused := b.refuseWorkspace(ctx, s.TeamID, "command"); refused != nil {
		return refused, nil
	}
	return b.slashCommand(ctx, s), nil
}

// Interaction handles a verified interaction payload and returns the
// acknowledgement's body (nil for an empty one). It returns an error, and
// does nothing, when the payload does not say its team and user.
func (b *Bot) Interaction(ctx context.Context, cb *slack.InteractionCallback) (ack any, err error) {
	if err := interactionIdentity(cb); err != nil {
		return nil, err
	}
	defer b.apologize("interaction", &ack)
	if refused := b.refuseWorkspace(ctx, cb.Team.ID, "interaction"); refused != nil {
		return refused, nil
	}
	return b.interaction(ctx, cb), nil
}

// Event handles a verified Events API event, after the transport
// acknowledged it; a retry of an event already seen is dropped.
func (b *Bot) Event(e slackevents.EventsAPIEvent) {
	defer b.survive("event")
	if e.Type != slackevents.CallbackEvent {
		return
	}
	b.event(appEventOf(e))
}

// AnswerLater sends through responseURL, after the acknowledgement, a
// command's answer its transport could not put in the acknowledgement
// (Socket Mode refuses one of 20 KB or more).
func (b *Bot) AnswerLater(responseURL string, ack any) {
	ans, ok := ack.(commandAnswer)
	if !ok || responseURL == "" {
		b.log.Warn("an acknowledgement's answer was lost: it has no response_url to go through")
		return
	}
	b.later(func(ctx context.Context) {
		msg := render.Message{Text: ans.Text, Blocks: ans.Blocks}
		b.respondAs(ctx, b.log, responseURL, msg, ans.ResponseType == slack.ResponseTypeInChannel)
	})
}

// Rejected counts and logs a request a transport refused before any work
// (unsigned, too large, malformed): one sampled log and one metric,
// golive_requests_rejected_total, whichever transport refused it. String
// values in attrs are clipped, since they come from the request.
func (b *Bot) Rejected(reason, path string, attrs ...any) {
	for i, a := range attrs {
		if s, ok := a.(string); ok {
			attrs[i] = clip(s)
		}
	}
	b.rejected.reject(reason, path, attrs...)
}

// apologize turns a panic of the handler into the apology it acknowledges
// with, and logs it: one bad request must not take every launch down.
func (b *Bot) apologize(what string, ack *any) {
	if p := recover(); p != nil {
		b.log.Error("recovered from a panic", "in", what, "panic", p, "stack", string(debug.Stack()))
		*ack = crashed
	}
}

// survive logs a panic of the current goroutine instead of letting it end
// the process: one bad request must not take every launch down. Use it as
// `defer b.survive("what")` at the top of every goroutine the bot starts.
func (b *Bot) survive(what string) {
	if p := recover(); p != nil {
		b.log.Error("recovered from a panic", "in", what, "panic", p, "stack", string(debug.Stack()))
	}
}

// appEventOf reads the part of an Events API event golive acts on.
func appEventOf(e slackevents.EventsAPIEvent) appEvent {
	out := appEvent{team: e.TeamID, kind: e.InnerEvent.Type}
	if cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent); ok {
		out.id = cb.EventID
	}
	switch inner := e.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		out.user, out.tab = inner.User, inner.Tab
	case *slackevents.TokensRevokedEvent:
		// Only the bot's token matters: golive keeps no user tokens.
		out.botRevoked = len(inner.Tokens.Bot) > 0
	}
	return out
}
