package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// cmdRoles lists each approver role with its holder and verdict.
func (b *Bot) cmdRoles(ctx context.Context, c *call, _ []string) reply {
	l, err := b.channelLaunch(ctx, c)
	if err != nil {
		return b.fail(c, err)
	}
	msg := render.Roles(l, b.now())
	return reply{msg: &msg}
}

// cmdRole puts a person in a role, or adds or removes a role:
// role "<Role Name>" @user | add "<Role Name>" | remove "<Role Name>".
func (b *Bot) cmdRole(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "role", "Say which role, and who or what to change.")
	}
	var (
		// op changes the launch, and tells whether it asked a role's new
		// holder for their approval.
		op   func(l *launch.Launch, now time.Time) (bool, []launch.Event, error)
		text string
	)
	switch verb := strings.ToLower(args[0]); {
	case (verb == "add" || verb == "remove") && !isMention(args[len(args)-1]):
		name := strings.Join(args[1:], " ")
		shown := inert(name)
		if verb == "add" {
			op = func(l *launch.Launch, _ time.Time) (bool, []launch.Event, error) {
				events, err := l.AddRole(c.user, name)
				return false, events, err
			}
			text = fmt.Sprintf("<@%s> added the role %s.", c.user, shown)
		} else {
			op = func(l *launch.Launch, _ time.Time) (bool, []launch.Event, error) {
				events, err := l.RemoveRole(c.user, name)
				return false, events, err
			}
			text = fmt.Sprintf("<@%s> removed the role %s.", c.user, shown)
		}
	default:
		name := strings.Join(args[:len(args)-1], " ")
		holder, err := b.personFor(ctx, c, args[len(args)-1], func(l *launch.Launch, p string) error {
			_, err := l.SetRoleHolder(c.user, name, p)
			return err
		})
		if err != nil {
			return b.fail(c, err)
		}
		op = func(l *launch.Launch, now time.Time) (bool, []launch.Event, error) {
			events, err := l.SetRoleHolder(c.user, name, holder)
			if err != nil || len(events) == 0 {
				return false, events, err
			}
			// Approvals were asked for already: the new holder owes an
			// answer too, and the DM asking for it is stored with the change.
			r := l.Checklist.Role(name)
			if !l.AsksNewHolder(r) {
				return false, events, nil
			}
			key := launch.PostKey(launch.PostApprovalDM, l.ID, launch.InstantKey(now)+":"+strconv.Itoa(slices.Index(l.Checklist.Roles, r)))
			if err := tellApprovalDM(l, r, key, now); err != nil {
				return false, nil, err
			}
			return true, events, nil
		}
		text = fmt.Sprintf("<@%s> put <@%s> in the role %s.", c.user, holder, inert(name))
	}
	l, asked, err := changeWith(b, ctx, c, op)
	if err != nil {
		return b.fail(c, err)
	}
	if asked {
		text = strings.TrimSuffix(text, ".") + ", and asked them for their approval by DM, as approvals were asked for already."
	}
	b.refreshLaunch(l.TeamID, l.ID, strings.TrimSuffix(text, "."))
	// A new holder owes an answer: the daily nudges may have to start again.
	b.syncReminders(c.log, l.ID)
	msg := render.Notice(text)
	return reply{msg: &msg, inChannel: true}
}
