package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/golive/golive/bot/render"
)

// RunSocketMode connects to Slack over Socket Mode with the app-level token
// (xapp-...) and serves commands, interactions and events until ctx ends,
// reconnecting when the connection drops. The handlers are the HTTP mode's:
// a command or click is stored before its envelope is acknowledged, within
// the same budget. It returns nil when ctx ends, and an error when Slack
// refuses the token.
func (b *Bot) RunSocketMode(ctx context.Context, appToken string) error {
	api := *b.slack
	slack.OptionAppLevelToken(appToken)(&api)
	client := socketmode.New(&api)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-client.Events:
			b.socketEvent(ctx, client, evt)
		}
	}
}

// socketEvent hands one Socket Mode event to its handler; envelopes are
// handled in their own goroutines so that the event channel keeps draining.
func (b *Bot) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			b.log.Warn("socket mode connection error; retrying", "attempt", e.Attempt, "backoff", e.Backoff.String(), "err", e.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("socket mode: Slack refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		if err := commandIdentity(cmd); err != nil {
			b.refuseEnvelope(client, evt.Request, err)
			return
		}
		b.envelope(client, evt.Request, cmd.ResponseURL, func() any { return b.slashCommand(ctx, cmd) })
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if err := interactionIdentity(&cb); err != nil {
			b.refuseEnvelope(client, evt.Request, err)
			return
		}
		b.envelope(client, evt.Request, "", func() any { return b.interaction(ctx, &cb) })
	case socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			b.ack(client, evt.Request, nil, "")
		}
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			b.Event(e)
		}
	case socketmode.EventTypeErrorBadMessage:
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			b.ackUnreadable(client, bad)
		}
	}
}

// ackUnreadable acknowledges an envelope slack-go could not parse (an event
// type it does not know, say): unacknowledged, Slack would deliver it again
// and again. Frames without an envelope id need no answer.
func (b *Bot) ackUnreadable(client *socketmode.Client, bad *socketmode.ErrorBadMessage) {
	var env struct {
		Type       string `json:"type"`
		EnvelopeID string `json:"envelope_id"`
	}
	if err := json.Unmarshal(bad.Message, &env); err != nil || env.EnvelopeID == "" {
		b.log.Warn("socket mode: unreadable message without an envelope id", "err", clip(fmt.Sprint(bad.Cause)))
		return
	}
	b.log.Warn("socket mode: acknowledged an envelope it cannot read", "type", clip(env.Type), "err", clip(fmt.Sprint(bad.Cause)))
	b.ack(client, &socketmode.Request{EnvelopeID: env.EnvelopeID}, nil, "")
}

// envelope runs handle in its own goroutine and acknowledges the envelope
// with its result.
func (b *Bot) envelope(client *socketmode.Client, req *socketmode.Request, responseURL string, handle func() any) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("recovered from a panic", "in", "socket mode envelope", "panic", p, "stack", string(debug.Stack()))
				b.ack(client, req, map[string]string{"response_type": "ephemeral", "text": msgCrashed}, responseURL)
			}
		}()
		b.ack(client, req, handle(), responseURL)
	}()
}

// refuseEnvelope acknowledges an envelope golive will not handle, so that
// Slack does not deliver it again, and logs why (never its payload).
func (b *Bot) refuseEnvelope(client *socketmode.Client, req *socketmode.Request, why error) {
	b.log.Warn("socket mode: refused an envelope", "type", clip(req.Type), "reason", clip(why.Error()))
	b.ack(client, req, nil, "")
}

// ack acknowledges an envelope with payload. A payload Socket Mode refuses
// (20 KB or more) is sent through responseURL instead.
func (b *Bot) ack(client *socketmode.Client, req *socketmode.Request, payload any, responseURL string) {
	err := client.Ack(*req, payload)
	if err == nil {
		return
	}
	b.log.Warn("socket mode ack with payload failed; acknowledging empty", "err", err)
	if err := client.Ack(*req); err != nil {
		b.log.Error("socket mode ack", "err", err)
		return
	}
	if ans, ok := payload.(commandAnswer); ok && responseURL != "" {
		b.later(func(ctx context.Context) {
			msg := render.Message{Text: ans.Text, Blocks: ans.Blocks}
			b.respondAs(ctx, b.log, responseURL, msg, ans.ResponseType == slack.ResponseTypeInChannel)
		})
	}
}
