package console

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// demoLead is how far ahead the demo launch is: past the 7-day and 3-day
// reminder windows, so the clock can jump to them.
const demoLead = 10 * 24 * time.Hour

// demoCommands start the demo launch, as its creator would type them: the
// web template, owners for two sections and for a few items (an owned
// item is one a stranger to the launch cannot tick), a few items done.
func demoCommands(date time.Time) []string {
	return []string{
		`new "Website relaunch" ` + date.Format("2006-01-02") + ` template web`,
		`owner Infrastructure @sam`,
		`owner Security @dana`,
		`owner 5 @sam`,
		`owner 6 @sam`,
		`owner 7 @sam`,
		`tick 1 2 3 4`,
	}
}

// Demo starts the demo launch in a channel that has none, as its creator.
func (c *Console) Demo(ctx context.Context, channelID string) error {
	ch, ok := channel(channelID)
	if !ok || ch.With != "" {
		return errors.New("start the demo launch in a channel")
	}
	if len(c.api.Messages(ch.ID, "")) > 0 {
		return errors.New("this channel has messages already: start the demo launch in an empty channel")
	}
	for _, cmd := range demoCommands(c.clock.Now().Add(demoLead)) {
		if err := c.Command(ctx, People[0].ID, ch.ID, cmd); err != nil {
			return fmt.Errorf("demo launch: /golive %s: %w", cmd, err)
		}
	}
	return nil
}

// JumpToNextReminder moves the console's clock to when the next reminder
// is due (or just wakes the loops when one is due already), records the
// clock's offset, and returns the new time.
func (c *Console) JumpToNextReminder(ctx context.Context) (time.Time, error) {
	at, ok, err := c.store.NextReminderAt(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("console: next reminder: %w", err)
	}
	if !ok {
		return time.Time{}, errors.New("no reminder is planned: start a launch first (its reminders come before its date)")
	}
	if err := c.advance(ctx, at.Sub(c.clock.Now())); err != nil {
		return time.Time{}, err
	}
	return c.clock.Now(), nil
}

// advance moves the clock forward by d (by nothing when d is not
// positive, which still wakes the loops) and records its offset.
func (c *Console) advance(ctx context.Context, d time.Duration) error {
	c.clock.Jump(d)
	offset := c.clock.Offset()
	if err := c.store.SetConsoleSetting(ctx, offsetSetting, strconv.FormatInt(offset.Milliseconds(), 10)); err != nil {
		return fmt.Errorf("console: record the clock: %w", err)
	}
	c.api.Changed()
	return nil
}
