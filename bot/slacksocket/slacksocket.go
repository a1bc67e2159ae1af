// Package slacksocket is the Socket Mode transport: it connects to Slack
// with the app-level token (xapp-...), reconnecting when the connection
// drops, and hands the slash commands, interactions and events it receives
// to the bot's entry points. The authenticated connection vouches for the
// payloads, which carry no signature. Each envelope is acknowledged with
// its handler's answer, so a command or click is stored before Slack hears
// back, as over HTTP.
package slacksocket

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Handlers are the bot's entry points (*bot.Bot is one).
type Handlers interface {
	// Command and Interaction return the acknowledgement's body (nil for
	// an empty one), or an error for a payload the bot refuses unread.
	Command(ctx context.Context, s slack.SlashCommand) (any, error)
	Interaction(ctx context.Context, cb *slack.InteractionCallback) (any, error)
	// Event handles an event after its acknowledgement.
	Event(e slackevents.EventsAPIEvent)
	// AnswerLater sends through responseURL an acknowledgement's body
	// that Socket Mode refused (20 KB or more).
	AnswerLater(responseURL string, ack any)
}

// Run connects to Slack over Socket Mode with appToken, through a copy of
// api (the bot's Web API client), and serves h until ctx ends. It returns
// nil when ctx ends, once the envelopes in hand are handled, and an
// error when Slack refuses the token.
func Run(ctx context.Context, api *slack.Client, appToken string, h Handlers, log *slog.Logger) error {
	withApp := *api
	slack.OptionAppLevelToken(appToken)(&withApp)
	ctx, cancel := context.WithCancel(ctx)
	s := &socket{client: socketmode.New(&withApp), h: h, log: log, ctx: ctx}
	// Waited for after cancel: an acknowledgement still pending when the
	// connection closes gives up rather than block.
	defer s.wg.Wait()
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-s.client.Events:
			s.event(evt)
		}
	}
}

// socket is one run of Socket Mode.
type socket struct {
	client *socketmode.Client
	h      Handlers
	log    *slog.Logger
	// ctx ends with the run; acknowledgements wait no longer.
	ctx context.Context
	// wg tracks the envelopes being handled.
	wg sync.WaitGroup
}

// event hands one Socket Mode event to its handler; envelopes are handled
// in their own goroutines so that the event channel keeps draining.
func (s *socket) event(evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		s.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			s.log.Warn("socket mode connection error; retrying", "attempt", e.Attempt, "backoff", e.Backoff.String(), "err", e.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		s.log.Error("socket mode: Slack refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		s.envelope(evt.Request, cmd.ResponseURL, func() (any, error) { return s.h.Command(s.ctx, cmd) })
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		s.envelope(evt.Request, "", func() (any, error) { return s.h.Interaction(s.ctx, &cb) })
	case socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			s.ack(evt.Request, nil, "")
		}
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			s.h.Event(e)
		}
	case socketmode.EventTypeErrorBadMessage:
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			s.ackUnreadable(bad)
		}
	}
}

// ackUnreadable acknowledges an envelope slack-go could not parse (an event
// type it does not know, say): unacknowledged, Slack would deliver it again
// and again. Frames without an envelope id need no answer.
func (s *socket) ackUnreadable(bad *socketmode.ErrorBadMessage) {
	var env struct {
		Type       string `json:"type"`
		EnvelopeID string `json:"envelope_id"`
	}
	if err := json.Unmarshal(bad.Message, &env); err != nil || env.EnvelopeID == "" {
		s.log.Warn("socket mode: unreadable message without an envelope id", "err", clip(fmt.Sprint(bad.Cause)))
		return
	}
	s.log.Warn("socket mode: acknowledged an envelope it cannot read", "type", clip(env.Type), "err", clip(fmt.Sprint(bad.Cause)))
	s.ack(&socketmode.Request{EnvelopeID: env.EnvelopeID}, nil, "")
}

// envelope runs handle in its own goroutine and acknowledges the envelope
// with its result; one the bot refuses is acknowledged empty, so that
// Slack does not deliver it again, and why is logged (never its payload).
func (s *socket) envelope(req *socketmode.Request, responseURL string, handle func() (any, error)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("recovered from a panic", "in", "socket mode envelope", "panic", p, "stack", string(debug.Stack()))
			}
		}()
		ack, err := handle()
		if err != nil {
			s.log.Warn("socket mode: refused an envelope", "type", clip(req.Type), "reason", clip(err.Error()))
			s.ack(req, nil, "")
			return
		}
		s.ack(req, ack, responseURL)
	}()
}

// ack acknowledges an envelope with payload. A payload Socket Mode refuses
// (20 KB or more) goes through responseURL instead.
func (s *socket) ack(req *socketmode.Request, payload any, responseURL string) {
	err := s.client.AckCtx(s.ctx, req.EnvelopeID, payload)
	if err == nil || s.ctx.Err() != nil {
		return
	}
	s.log.Warn("socket mode ack with payload failed; acknowledging empty", "err", err)
	if err := s.client.AckCtx(s.ctx, req.EnvelopeID, nil); err != nil {
		s.log.Error("socket mode ack", "err", err)
		return
	}
	if payload != nil && responseURL != "" {
		s.h.AnswerLater(responseURL, payload)
	}
}

// maxLogged is the most bytes of a request-derived value a log line
// carries.
const maxLogged = 64

// clip cuts s to maxLogged bytes, on a character boundary, for the log.
func clip(s string) string {
	if len(s) <= maxLogged {
		return s
	}
	cut := maxLogged
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…[%d bytes]", s[:cut], len(s))
}
