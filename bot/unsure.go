package bot

import (
	"context"
	"errors"
	"log/slog"

	"github.com/golive/golive/bot/render"
)

// unsureError is a change whose outcome was not known when the answer was
// due: it was still waiting for the database. wait blocks until the
// outcome is known and returns nil when the change was saved.
type unsureError struct {
	wait func() error
	// followUp is whether the user will be told the outcome (there is a
	// response_url to tell them through).
	followUp bool
}

func (e *unsureError) Error() string { return "no answer before the acknowledgement was due" }

// Unwrap makes an unsureError errUnsure, for the code and the message.
func (e *unsureError) Unwrap() error { return errUnsure }

// outcome waits for the final result of an op that may itself have
// answered "unsure" (a batched change whose transaction was still running).
func outcome(err error) error {
	var u *unsureError
	if errors.As(err, &u) {
		return u.wait()
	}
	return err
}

// responder is where a request's late news goes: its response_url, and
// what to call the request in that message.
type responder struct {
	url  string
	what string // mrkdwn, escaped: "your `/golive tick 12`"
	log  *slog.Logger
}

type responderKey struct{}

// withResponder lets the changes made under ctx follow up on their outcome.
func withResponder(ctx context.Context, r responder) context.Context {
	if r.url == "" {
		return ctx
	}
	return context.WithValue(ctx, responderKey{}, r)
}

// followUp tells the user of ctx's request, once u's outcome is known,
// whether the change was saved after all, and marks u as followed up. It
// does nothing when the request has nowhere to answer (a modal).
func (b *Bot) followUp(ctx context.Context, u *unsureError) {
	r, ok := ctx.Value(responderKey{}).(responder)
	if !ok {
		return
	}
	u.followUp = true
	b.later(func(ctx context.Context) {
		err := u.wait()
		text := "Update on " + r.what + ": it was saved after all."
		if err != nil {
			text = "Update on " + r.what + ": it was not saved. " + userMessage(err)
			r.log.Warn("change failed after its acknowledgement", "err", err)
		} else {
			r.log.Info("change saved after its acknowledgement")
		}
		b.respond(ctx, r.log, r.url, render.Notice(text))
	})
}
