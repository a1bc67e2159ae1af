package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// cmdStatus posts the readiness summary in the channel, as a live message.
func (b *Bot) cmdStatus(ctx context.Context, c *call, _ []string) reply {
	l, err := b.channelLaunch(ctx, c)
	if err != nil {
		return b.fail(c, err)
	}
	b.postLive(c, l.ID, launch.MessageStatus, "", func(_ context.Context, l *launch.Launch) render.Message {
		return render.Status(l, b.reminderTime(), b.now())
	})
	return reply{}
}

// cmdChecklist posts one section of the checklist to tick, as a live message.
func (b *Bot) cmdChecklist(ctx context.Context, c *call, args []string) reply {
	l, err := b.channelLaunch(ctx, c)
	if err != nil {
		return b.fail(c, err)
	}
	var v render.View
	if len(args) > 0 {
		s, err := l.FindSection(strings.Join(args, " "))
		if err != nil {
			return b.fail(c, err)
		}
		v.Section = s.Index
	}
	b.postLive(c, l.ID, launch.MessageChecklist, v.String(), func(ctx context.Context, l *launch.Launch) render.Message {
		return render.ChecklistNamed(l, v, "", b.ownerNames(ctx, c.log, l))
	})
	return reply{}
}

// postLive posts a live message drawn from the launch's state when the post
// goes out (the freshest, and nothing big waits in memory meanwhile). It
// waits its turn with the channel's other posts; the same message asked for
// again while it waits (a second `status`) is posted once.
func (b *Bot) postLive(c *call, id int64, kind, view string, draw func(ctx context.Context, l *launch.Launch) render.Message) {
	b.work.push(&job{
		lane: postLane(b.paceTeam(c.team), c.channel),
		key:  "live:" + strconv.FormatInt(id, 10) + ":" + kind + ":" + view,
		run: func(ctx context.Context) error {
			l, err := b.store.LaunchByID(ctx, id)
			if err != nil {
				c.log.Error("load launch to post", "launch", id, "err", err)
				b.respond(ctx, c.log, c.responseURL, render.Notice(launch.ErrorMessage(err)))
				return nil
			}
			return b.postTracked(ctx, c.log, l, kind, view, draw(ctx, l), c.responseURL)
		},
		dropped: func(reason string) {
			if reason == dropShutdown {
				return
			}
			b.later(func(ctx context.Context) {
				b.respond(ctx, c.log, c.responseURL, render.Notice(msgSlackBusy))
			})
		},
	})
}

// msgSlackBusy answers a post that Slack's rate limits kept from going out.
const msgSlackBusy = "Slack is limiting how fast I can post in this channel, so this message was not posted. Please try again in a few minutes."

func (b *Bot) cmdTick(ctx context.Context, c *call, args []string) reply {
	return b.setDone(ctx, c, args, true)
}

func (b *Bot) cmdUntick(ctx context.Context, c *call, args []string) reply {
	return b.setDone(ctx, c, args, false)
}

// setDone ticks or unticks items by number, then refreshes the live messages.
func (b *Bot) setDone(ctx context.Context, c *call, args []string, done bool) reply {
	sub := "untick"
	if done {
		sub = "tick"
	}
	nums, err := itemNumbers(args)
	if err != nil {
		return b.fail(c, err)
	}
	res, err := b.changeBatched(ctx, c, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.SetDone(c.user, nums, done, now)
		if err != nil {
			return nil, err
		}
		return events, nil
	})
	if err != nil {
		return b.fail(c, err)
	}
	l, events := res.launch, res.events
	changed := changedItems(events)
	if len(changed) == 0 {
		state := "open"
		if done {
			state = "done"
		}
		return notice(fmt.Sprintf("%s already %s; nothing changed.", itemList(nums), state))
	}
	past := map[bool]string{true: "ticked", false: "unticked"}[done]
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> %s %s", c.user, past, itemList(changed)))
	c.log.Info(sub, "launch", l.ID, "items", len(changed))
	return notice(fmt.Sprintf("You %s %s.%s", past, itemList(changed), voidedSignoffs(events)))
}

// changedItems returns the numbers of the items that tick and untick
// events name, in order.
func changedItems(events []launch.Event) []int {
	return launch.ItemsOf(events, launch.KindTick, launch.KindUntick)
}

// voidedSignoffs mentions the sign-offs an untick voided.
func voidedSignoffs(events []launch.Event) string {
	var out []string
	for _, title := range launch.SectionsOf(events, launch.KindSignoffVoid) {
		out = append(out, " The sign-off of "+inert(title)+" is void now.")
	}
	return strings.Join(out, "")
}

// numbers writes item numbers "12, 14, 15".
func numbers(nums []int) string {
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// itemList writes "item 12" or "items 12, 14 and 15".
func itemList(nums []int) string {
	if len(nums) == 1 {
		return "item " + strconv.Itoa(nums[0])
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	return "items " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// cmdOwner assigns the owner of an item (by number) or a section (by name
// or number as the document has it): owner <section | item> @user|none.
func (b *Bot) cmdOwner(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "owner", "Say what to assign, and to whom.")
	}
	who := args[len(args)-1]
	ref := strings.Join(args[:len(args)-1], " ")
	item, isItem := itemRef(ref)
	type assigned struct {
		subject string
		changed bool
	}
	assign := func(l *launch.Launch, owner string) (assigned, []launch.Event, error) {
		if isItem {
			events, err := l.SetItemOwner(c.user, item, owner)
			return assigned{"item " + strconv.Itoa(item), len(events) > 0}, events, err
		}
		s, err := l.FindSection(ref)
		if err != nil {
			return assigned{}, nil, err
		}
		events, err := l.SetSectionOwner(c.user, ref, owner)
		return assigned{inert(s.Title), len(events) > 0}, events, err
	}
	owner := ""
	if !isNobody(who) {
		var err error
		owner, err = b.personFor(ctx, c, who, func(l *launch.Launch, p string) error {
			_, _, err := assign(l, p)
			return err
		})
		if err != nil {
			return b.fail(c, err)
		}
	}
	l, got, err := changeWith(b, ctx, c, func(l *launch.Launch, _ time.Time) (assigned, []launch.Event, error) {
		return assign(l, owner)
	})
	if err != nil {
		return b.fail(c, err)
	}
	if !got.changed {
		if owner == "" {
			return notice(fmt.Sprintf("%s has no owner; nothing changed.", upperFirst(got.subject)))
		}
		return notice(fmt.Sprintf("<@%s> already owns %s; nothing changed.", owner, got.subject))
	}
	text := fmt.Sprintf("<@%s> made <@%s> the owner of %s.", c.user, owner, got.subject)
	if owner == "" {
		text = fmt.Sprintf("<@%s> cleared the owner of %s.", c.user, got.subject)
	}
	b.refreshLaunch(l.TeamID, l.ID, strings.TrimSuffix(text, "."))
	msg := render.Notice(text)
	return reply{msg: &msg, inChannel: true}
}

// upperFirst capitalises the first letter of s, for a sentence's start.
func upperFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// itemRef reads an item reference: a number, optionally with "#" or "item".
func itemRef(ref string) (int, bool) {
	ref = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(ref)), "item"))
	n, err := strconv.Atoi(strings.TrimPrefix(ref, "#"))
	return n, err == nil && n > 0
}

// isNobody tells whether the owner argument clears the owner.
func isNobody(arg string) bool {
	switch strings.ToLower(arg) {
	case "none", "nobody", "-":
		return true
	}
	return false
}
