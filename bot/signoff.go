package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// cmdSignoff signs a section off: its owner or the launch's creator. A
// section with open items asks for confirmation first, with buttons.
func (b *Bot) cmdSignoff(ctx context.Context, c *call, args []string) reply {
	if len(args) == 0 {
		return b.usage(c, "signoff", "Say which section to sign off.")
	}
	l, err := b.channelLaunch(ctx, c)
	if err != nil {
		return b.fail(c, err)
	}
	s, err := l.FindSection(strings.Join(args, " "))
	if err != nil {
		return b.fail(c, err)
	}
	if err := l.CanSignOff(c.user, s); err != nil {
		return b.fail(c, err)
	}
	if launch.OpenItems(s) > 0 {
		msg := render.SignoffConfirm(l, s)
		return reply{msg: &msg}
	}
	// The command's in-channel answer is the channel's notice.
	l, text, err := b.signOff(ctx, c.team, c.channel, c.user, c.triggerID, render.SignoffRef{LaunchID: l.ID, Section: s.Index}, false)
	if err != nil {
		return b.fail(c, err)
	}
	b.refreshLaunch(l.TeamID, l.ID, text)
	msg := render.Notice(text + ".")
	return reply{msg: &msg, inChannel: true}
}

// onSignoff handles the sign-off buttons: the one on a section's checklist
// view (value: the view), and Confirm and Cancel of the confirmation
// (value: a render.SignoffRef).
func (b *Bot) onSignoff(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome {
	switch a.ActionID {
	case render.ActionSignoff:
		return b.onSignoffButton(ctx, k, a.Value)
	case render.ActionSignoffCancel:
		b.later(func(ctx context.Context) {
			b.replaceClicked(ctx, k.log, k.responseURL, render.Notice("Nothing was signed off."))
		})
		return metrics.OK
	case render.ActionSignoffConfirm:
	default:
		b.tellClicker(k, msgNotMine)
		return metrics.Invalid
	}
	ref, err := render.ParseSignoffRef(a.Value)
	if err != nil {
		b.tellClicker(k, msgNotMine)
		return metrics.Invalid
	}
	return b.signOffClicked(ctx, k, ref, true)
}

// onSignoffButton starts a sign-off from the button on a section's view.
func (b *Bot) onSignoffButton(ctx context.Context, k *click, value string) metrics.Outcome {
	v, err := render.ParseView(value)
	if err != nil {
		b.tellClicker(k, msgStaleMessage)
		return metrics.Invalid
	}
	l, err := withinValue(b, ctx, func(ctx context.Context) (*launch.Launch, error) {
		return b.store.LaunchByChannel(ctx, k.team, k.channel)
	})
	if err != nil {
		b.tellClicker(k, userMessage(noLaunchHere(err)))
		return outcomeOf(err)
	}
	if v.Section >= len(l.Checklist.Sections) {
		b.tellClicker(k, msgStaleMessage)
		return metrics.Invalid
	}
	s := l.Checklist.Sections[v.Section]
	if err := l.CanSignOff(k.user, s); err != nil {
		b.tellClicker(k, userMessage(err))
		return outcomeOf(err)
	}
	if launch.OpenItems(s) > 0 {
		msg := render.SignoffConfirm(l, s)
		b.later(func(ctx context.Context) { b.respond(ctx, k.log, k.responseURL, msg) })
		return metrics.OK
	}
	return b.signOffClicked(ctx, k, render.SignoffRef{LaunchID: l.ID, Section: s.Index}, false)
}

// signOffClicked signs off after a click and tells the channel, through
// the outbox, with the sign-off; confirmed
// also replaces the confirmation the click came from.
func (b *Bot) signOffClicked(ctx context.Context, k *click, ref render.SignoffRef, confirmed bool) metrics.Outcome {
	l, text, err := b.signOff(ctx, k.team, k.channel, k.user, k.triggerID, ref, true)
	if err != nil {
		b.tellClicker(k, userMessage(err))
		return outcomeOf(err)
	}
	b.refreshLaunch(l.TeamID, l.ID, text)
	if confirmed {
		b.later(func(ctx context.Context) {
			b.replaceClicked(ctx, k.log, k.responseURL, render.Notice("Signed off."))
		})
	}
	return metrics.OK
}

// signOff records user's sign-off of the section ref names, in the
// launch of the verified team and channel, and says what was signed. The
// request's trigger id is recorded with it: a replay of the request (a
// signed command or click sent again) signs nothing, even after the
// sign-off was voided meanwhile.
func (b *Bot) signOff(ctx context.Context, team, channel, user, trigger string, ref render.SignoffRef, tell bool) (*launch.Launch, string, error) {
	// signed is what the transaction saw: whether the launch was there, and
	// the words for what was signed.
	type signed struct {
		l      *launch.Launch
		text   string
		loaded bool
	}
	res, err := changeWithin(b, ctx, func(ctx context.Context) (signed, error) {
		var res signed
		var err error
		update := func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
			res.loaded = true
			if l.TeamID != team || l.ChannelID != channel {
				return nil, launch.Errorf(launch.ENOTFOUND, "This sign-off is for a launch of another channel; nothing was signed.")
			}
			if replay {
				return nil, launch.Errorf(launch.ECONFLICT, "This request was already received once; a repeat of it is refused, and nothing was signed.")
			}
			if l.Archived {
				return nil, launch.Errorf(launch.ECONFLICT, "The launch “%s” is archived; nothing was signed.", l.Name)
			}
			if ref.Section >= len(l.Checklist.Sections) {
				return nil, launch.Errorf(launch.ENOTFOUND, msgStaleMessage)
			}
			s := l.Checklist.Sections[ref.Section]
			open := launch.OpenItems(s)
			if so := s.Signoff; so != nil && so.By == user && so.OpenItems == open {
				return nil, launch.Errorf(launch.ECONFLICT, "You signed %s off already; nothing changed.", s.Title)
			}
			res.text = fmt.Sprintf("<@%s> signed off %s", user, inert(s.Title))
			if open > 0 {
				res.text += fmt.Sprintf(" with %d open items", open)
			}
			events, err := l.SignOff(user, s.Title, now)
			if err != nil || !tell {
				return events, err
			}
			return events, tellNotice(l, now, fmt.Sprintf("signoff:%d:%s", s.Index, user), res.text+".")
		}
		if trigger == "" {
			res.l, err = b.store.Update(ctx, ref.LaunchID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) { return update(l, now, false) })
		} else {
			res.l, err = b.store.UpdateOnce(ctx, ref.LaunchID, team, trigger, update)
		}
		return res, err
	})
	if err != nil {
		if launch.ErrorCode(err) == launch.ENOTFOUND && !res.loaded {
			err = launch.Errorf(launch.ENOTFOUND, "The launch of this sign-off no longer exists; nothing was signed.")
		}
		return nil, "", err
	}
	return res.l, res.text, nil
}

// replaceClicked replaces the ephemeral message clicked (the sign-off
// confirmation) through the click's response_url.
func (b *Bot) replaceClicked(ctx context.Context, log *slog.Logger, responseURL string, msg render.Message) {
	if responseURL == "" {
		return
	}
	b.postResponse(ctx, log, responseURL, webhookAnswer{ResponseType: slack.ResponseTypeEphemeral, Text: msg.Text, Blocks: msg.Blocks, ReplaceOriginal: true})
}
