package bot

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/metrics"
)

// msgUnknownAction answers a click on a button golive does not know: one
// of an older version, say.
const msgUnknownAction = "This button is out of date, so nothing was changed. Run the command again for a fresh message."

// msgUnknownShortcut answers a shortcut golive does not know: one an older
// manifest declared, say.
const msgUnknownShortcut = "golive does not know this shortcut, so nothing was done. The app may need reinstalling from its current manifest."

// maxActions is how many actions of one block_actions payload are handled;
// Slack sends one per click, and the rest of a longer list is refused.
const maxActions = 1

// click is one verified interaction: who, in which team and channel, on
// which message, and how to answer them.
type click struct {
	id          string
	team        string
	channel     string
	user        string
	messageTS   string
	responseURL string
	triggerID   string
	cb          *slack.InteractionCallback
	log         *slog.Logger
}

// actionFunc handles one block action; it returns the metrics outcome.
type actionFunc func(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome

// submissionFunc handles a modal's submission and returns the
// acknowledgement's body: nil to close the modal, or a
// *slack.ViewSubmissionResponse (field errors, say).
type submissionFunc func(ctx context.Context, k *click) (any, metrics.Outcome)

// actionTable routes block actions by the part of their action_id before
// any ":" ("tick:3" goes to "tick"): one line per kind of button.
func (b *Bot) actionTable() map[string]actionFunc {
	return map[string]actionFunc{
		render.ActionTick: b.onTick,
		render.ActionNav:  b.onNav,
		render.ActionPick: b.onPick,
		"approval":        b.onApproval,
		"signoff":         b.onSignoff,
		"na":              b.onNA,
	}
}

// submissionTable routes modal submissions by callback_id.
func (b *Bot) submissionTable() map[string]submissionFunc {
	return map[string]submissionFunc{
		render.ImportCallbackID:        b.onImportSubmit,
		render.ImportPreviewCallbackID: b.onImportConfirm,
		render.ConditionsCallbackID:    b.onConditionsSubmit,
		render.RejectCallbackID:        b.onRejectSubmit,
	}
}

// interaction handles a verified interaction payload and returns the
// acknowledgement's body (nil for an empty one).
func (b *Bot) interaction(ctx context.Context, cb *slack.InteractionCallback) any {
	start := time.Now()
	k := &click{
		id:          requestID(),
		team:        cb.Team.ID,
		channel:     cb.Channel.ID,
		user:        cb.User.ID,
		messageTS:   cb.Container.MessageTs,
		responseURL: cb.ResponseURL,
		triggerID:   cb.TriggerID,
		cb:          cb,
	}
	if k.channel == "" {
		k.channel = cb.Container.ChannelID
	}
	if k.messageTS == "" {
		k.messageTS = cb.Message.Timestamp
	}
	k.log = b.log.With("request_id", k.id, "team", clip(k.team), "channel", clip(k.channel), "user", clip(k.user), "type", clip(string(cb.Type)))
	defer func() { b.metrics.ObserveRequest("interaction", time.Since(start)) }()
	ctx = withResponder(ctx, responder{url: k.responseURL, log: k.log, what: "your click"})

	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		actions := cb.ActionCallback.BlockActions
		if len(actions) > maxActions {
			// Slack sends one action per click: more is forged or broken,
			// and each would cost Slack calls and log lines.
			b.rejected.reject(rejectExtraActions, "interaction", "request_id", k.id, "actions", len(actions), "handled", maxActions)
			actions = actions[:maxActions]
		}
		for _, a := range actions {
			kind, _, _ := strings.Cut(a.ActionID, ":")
			handle, ok := b.actions[kind]
			if !ok {
				k.log.Warn("unknown action", "action_id_len", len(a.ActionID))
				b.metrics.Click("unknown", metrics.Invalid)
				b.tellClicker(k, msgUnknownAction)
				continue
			}
			outcome := handle(ctx, k, a)
			b.metrics.Click(kind, outcome)
			k.log.Info("action", "kind", kind, "outcome", string(outcome), "ms", time.Since(start).Milliseconds())
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		handle, ok := b.submissions[cb.View.CallbackID]
		if !ok {
			k.log.Warn("unknown view submission")
			b.metrics.Click("unknown", metrics.Invalid)
			return nil
		}
		body, outcome := handle(ctx, k)
		b.metrics.Click(cb.View.CallbackID, outcome)
		k.log.Info("view submission", "callback", cb.View.CallbackID, "outcome", string(outcome), "ms", time.Since(start).Milliseconds())
		return body
	case slack.InteractionTypeMessageAction:
		handle, ok := b.shortcuts[cb.CallbackID]
		if !ok {
			k.log.Warn("unknown shortcut", "callback_len", len(cb.CallbackID))
			b.metrics.Click("unknown", metrics.Invalid)
			b.tellClicker(k, msgUnknownShortcut)
			return nil
		}
		outcome := handle(ctx, k)
		b.metrics.Click(cb.CallbackID, outcome)
		k.log.Info("shortcut", "callback", cb.CallbackID, "outcome", string(outcome), "ms", time.Since(start).Milliseconds())
		return nil
	default:
		// view_closed and the like need no answer.
		return nil
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// tellClicker answers the clicker only, after the acknowledgement.
func (b *Bot) tellClicker(k *click, text string) {
	b.later(func(ctx context.Context) {
		msg := render.Notice(text)
		if k.responseURL != "" {
			b.respond(ctx, k.log, k.responseURL, msg)
			return
		}
		b.tellUser(ctx, k.log, k.team, k.channel, k.user, msg)
	})
}
