package bot

import (
	"context"

	"github.com/golive/golive/internal/schedule"
)

// Delivery is what posts for the bot, a *delivery.Delivery: the bot
// stores what its changes tell in the outbox and the launches' plans of
// reminders; Delivery posts them, and plans the reminders again when asked.
type Delivery interface {
	// Poke wakes the sender: a change just stored posts to send.
	Poke()
	// Sync plans a launch's reminders again after it was created, moved to
	// another date or time zone, had its reminders switched, or archived.
	Sync(ctx context.Context, launchID int64) error
	// TimeOfDay is the local time reminders go out.
	TimeOfDay() schedule.TimeOfDay
}

// SetDelivery connects what posts for the bot; call it once, before the bot
// serves requests. (Delivery is built after the bot: it renders reminders
// and sends posts through the bot's ReminderRenderer and OutboxTransport.)
// Without one, what changes tell waits in the outbox, and changes reach the
// reminders at the next hourly plan.
func (b *Bot) SetDelivery(d Delivery) { b.delivery = d }

// pokeOutbox wakes the sender, if any.
func (b *Bot) pokeOutbox() {
	if b.delivery != nil {
		b.delivery.Poke()
	}
}
