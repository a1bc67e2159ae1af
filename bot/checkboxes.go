package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

const msgStaleMessage = "This checklist message is out of date. `checklist` posts a fresh one."

// onTick handles a click on a checklist's checkboxes. The click carries the
// element's whole selection; what the user changed is the difference with
// what the message showed, applied to the stored state, so that two people
// clicking the same message at once lose neither click. The change is stored
// before the acknowledgement; the message is refreshed after it, for
// everyone, and also when the change is refused (to undo the checkbox the
// user flipped locally).
func (b *Bot) onTick(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome {
	v, elem, err := render.ParseTickBlockID(a.BlockID)
	if err != nil || k.channel == "" || k.messageTS == "" {
		b.tellClicker(k, msgStaleMessage)
		return metrics.Invalid
	}
	selected := map[int]bool{}
	for _, o := range a.SelectedOptions {
		if n, err := strconv.Atoi(o.Value); err == nil {
			selected[n] = true
		}
	}
	shown := shownState(k.cb, a.BlockID)

	res, err := changeWithin(b, ctx, func(ctx context.Context) (tickResult, error) {
		rec, known, err := b.clickedMessage(ctx, k, v)
		if err != nil {
			return tickResult{}, err
		}
		events, err := b.batch.apply(ctx, rec.LaunchID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			if err := k.owns(l); err != nil {
				return nil, err
			}
			items, ok := render.ElementItems(l, v, elem)
			if !ok {
				return nil, launch.Errorf(launch.ECONFLICT, msgStaleMessage)
			}
			ticks, unticks := clickChanges(l, items, shown, selected)
			return applyClick(l, k.user, ticks, unticks, now)
		})
		return tickResult{rec: rec, known: known, events: events}, err
	})
	rec, known, events := res.rec, res.known, res.events
	if err != nil {
		if rec.LaunchID != 0 {
			b.refreshClicked(k.team, rec, known, false, "")
		}
		b.tellClicker(k, userMessage(err))
		if outcomeOf(err) == metrics.Failed {
			k.log.Error("tick", "launch", rec.LaunchID, "err", err)
		}
		return outcomeOf(err)
	}
	note := tickNote(k.user, events)
	changed := note != ""
	// A change shows on every live message of the launch; a click that
	// changed nothing only resyncs the message clicked.
	b.refreshClicked(k.team, rec, known, changed, note)
	k.log.Info("tick", "launch", rec.LaunchID, "events", len(events))
	return metrics.OK
}

// clickChanges returns the items of a checkboxes element that a click
// ticked and unticked: those whose selection differs from what the message
// showed. Without the message (an ephemeral one), the stored state stands
// for what it showed.
func clickChanges(l *launch.Launch, items []int, shown, selected map[int]bool) (ticks, unticks []int) {
	for _, n := range items {
		before, ok := shown[n]
		if !ok && len(shown) > 0 {
			// Not on the message clicked: the user did not change it.
			continue
		}
		if !ok {
			before = l.Checklist.Item(n).Done
		}
		switch want := selected[n]; {
		case want && !before:
			ticks = append(ticks, n)
		case !want && before:
			unticks = append(unticks, n)
		}
	}
	return ticks, unticks
}

// applyClick ticks and unticks items for user. Every item is checked
// first: a refused click changes nothing, and leaves the launch untouched
// for the other changes of its batch.
func applyClick(l *launch.Launch, user string, ticks, unticks []int, now time.Time) ([]launch.Event, error) {
	for _, n := range slices.Concat(ticks, unticks) {
		if err := l.CanTick(user, n); err != nil {
			return nil, err
		}
	}
	var events []launch.Event
	for _, step := range []struct {
		nums []int
		done bool
	}{{ticks, true}, {unticks, false}} {
		if len(step.nums) == 0 {
			continue
		}
		evs, err := l.SetDone(user, step.nums, step.done, now)
		if err != nil {
			return nil, err
		}
		events = append(events, evs...)
	}
	return events, nil
}

// tickResult is what a click stored, and on which message.
type tickResult struct {
	rec    launch.Message
	known  bool
	events []launch.Event
}

// refreshClicked brings the clicked message (and with all, every live
// message of its launch) up to date, recording it first when golive did not
// know it (posted before its record was kept, say). team is the clicker's
// workspace, which the click's launch belongs to (clickedMessage).
func (b *Bot) refreshClicked(team string, rec launch.Message, known, all bool, note string) {
	if known {
		b.refresh.schedule(team, rec.LaunchID, all, &rec, note, b.refresh.delay)
		return
	}
	b.later(func(ctx context.Context) {
		if err := b.store.SaveMessage(ctx, rec); err != nil {
			b.log.Error("record clicked message", "launch", rec.LaunchID, "err", err)
		}
		b.refresh.schedule(team, rec.LaunchID, all, &rec, note, b.refresh.delay)
	})
}

// clickedMessage finds the record of the message clicked and its launch:
// the stored record, or else the channel's active launch with the view the
// click came from (a window's reminder when the message's metadata says it
// is one). A checklist page's record takes the view clicked; a reminder's
// or a status's keeps its own kind and view.
func (b *Bot) clickedMessage(ctx context.Context, k *click, v render.View) (launch.Message, bool, error) {
	rec, err := b.store.Message(ctx, k.channel, k.messageTS)
	if err == nil {
		if rec.Kind == launch.MessageChecklist {
			rec.View = v.String()
		}
		return rec, true, nil
	}
	if launch.ErrorCode(err) != launch.ENOTFOUND {
		return launch.Message{}, false, err
	}
	l, err := b.store.LaunchByChannel(ctx, k.team, k.channel)
	if err != nil {
		if launch.ErrorCode(err) == launch.ENOTFOUND {
			return launch.Message{}, false, launch.Errorf(launch.ENOTFOUND, "This checklist's launch is over: the channel has no active launch.")
		}
		return launch.Message{}, false, err
	}
	if rec, ok := reminderRecord(l, k.cb.Message, k.channel, k.messageTS, b.reminderTime(), b.now()); ok {
		return rec, false, nil
	}
	return launch.Message{LaunchID: l.ID, ChannelID: k.channel, TS: k.messageTS, Kind: launch.MessageChecklist,
		View: v.String(), PostedAt: b.now()}, false, nil
}

// owns checks that a launch belongs to the click's verified team and
// channel: a message record names a launch, the payload names the place.
func (k *click) owns(l *launch.Launch) error {
	if l.TeamID != k.team || l.ChannelID != k.channel {
		return launch.Errorf(launch.ENOTFOUND, "This message does not belong to a launch of this channel.")
	}
	if l.Archived {
		return launch.Errorf(launch.ECONFLICT, "The launch “%s” is archived; its checklist can no longer change.", inert(l.Name))
	}
	return nil
}

// shownState returns, for the checkboxes element in block blockID of the
// message as Slack holds it, whether each option was shown ticked. It is
// empty when the payload carries no message (an ephemeral one).
func shownState(cb *slack.InteractionCallback, blockID string) map[int]bool {
	shown := map[int]bool{}
	for _, blk := range cb.Message.Blocks.BlockSet {
		ab, ok := blk.(*slack.ActionBlock)
		if !ok || ab.BlockID != blockID || ab.Elements == nil {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			box, ok := el.(*slack.CheckboxGroupsBlockElement)
			if !ok {
				continue
			}
			for _, o := range box.Options {
				if n, err := strconv.Atoi(o.Value); err == nil {
					shown[n] = false
				}
			}
			for _, o := range box.InitialOptions {
				if n, err := strconv.Atoi(o.Value); err == nil {
					shown[n] = true
				}
			}
		}
	}
	return shown
}

// tickNote says who ticked and unticked what: "<@U1> ticked 12, unticked 14".
func tickNote(user string, events []launch.Event) string {
	var parts []string
	if ticked := launch.ItemsOf(events, launch.KindTick); len(ticked) > 0 {
		parts = append(parts, "ticked "+numbers(ticked))
	}
	if unticked := launch.ItemsOf(events, launch.KindUntick); len(unticked) > 0 {
		parts = append(parts, "unticked "+numbers(unticked))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("<@%s> %s", user, strings.Join(parts, ", "))
}

// onNav moves a checklist message to the previous or next page or section.
func (b *Bot) onNav(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome {
	return b.showView(ctx, k, a.Value)
}

// onPick moves a checklist message to the section picked.
func (b *Bot) onPick(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome {
	return b.showView(ctx, k, a.SelectedOption.Value)
}

// showView records the view a checklist message now shows and redraws it
// at once. Other messages have no pages: a reminder stays a reminder.
func (b *Bot) showView(ctx context.Context, k *click, value string) metrics.Outcome {
	v, err := render.ParseView(value)
	if err != nil || k.channel == "" || k.messageTS == "" {
		b.tellClicker(k, msgStaleMessage)
		return metrics.Invalid
	}
	rec, err := withinValue(b, ctx, func(ctx context.Context) (launch.Message, error) {
		rec, _, err := b.clickedMessage(ctx, k, v)
		if err != nil {
			return rec, err
		}
		if rec.Kind != launch.MessageChecklist {
			return rec, launch.Errorf(launch.EINVALID, msgStaleMessage)
		}
		l, err := b.store.LaunchByID(ctx, rec.LaunchID)
		if err != nil {
			return rec, err
		}
		if l.TeamID != k.team || l.ChannelID != k.channel {
			return rec, launch.Errorf(launch.ENOTFOUND, "This message does not belong to a launch of this channel.")
		}
		rec.View = render.ClampView(l, v).String()
		return rec, b.store.SaveMessage(ctx, rec)
	})
	if err != nil {
		b.tellClicker(k, userMessage(err))
		return outcomeOf(err)
	}
	b.refresh.schedule(k.team, rec.LaunchID, false, &rec, "", 0)
	return metrics.OK
}
