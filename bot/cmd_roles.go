package bot

import (
	"context"
	"fmt"
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
		op   func(l *launch.Launch) ([]launch.Event, error)
		text string
	)
	switch verb := strings.ToLower(args[0]); {
	case (verb == "add" || verb == "remove") && !isMention(args[len(args)-1]):
		name := strings.Join(args[1:], " ")
		shown := inert(name)
		if verb == "add" {
			op = func(l *launch.Launch) ([]launch.Event, error) { return l.AddRole(c.user, name) }
			text = fmt.Sprintf("<@%s> added the role %s.", c.user, shown)
		} else {
			op = func(l *launch.Launch) ([]launch.Event, error) { return l.RemoveRole(c.user, name) }
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
		op = func(l *launch.Launch) ([]launch.Event, error) { return l.SetRoleHolder(c.user, name, holder) }
		text = fmt.Sprintf("<@%s> put <@%s> in the role %s.", c.user, holder, inert(name))
	}
	l, err := b.change(ctx, c, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) { return op(l) })
	if err != nil {
		return b.fail(c, err)
	}
	b.refreshLaunch(l.ID, strings.TrimSuffix(text, "."))
	// A new holder owes an answer: the daily nudges may have to start again.
	b.syncReminders(c.log, l.ID)
	msg := render.Notice(text)
	return reply{msg: &msg, inChannel: true}
}
